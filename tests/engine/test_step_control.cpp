// The per-step control and the sampler's bookkeeping: CFG formula and its NFE, renoise keeping the
// marginal within its cap, per-sample policies, seeds, cancel within one call, preview throttling.
#include "irl/engine/models/gaussian_mixture_denoiser.h"
#include "irl/engine/core/random.h"
#include "irl/engine/learning/irl/irl_trainer.h"
#include "irl/engine/metrics/sample_metrics.h"
#include "irl/engine/sampling/sampler.h"
#include "irl/engine/sampling/schedule.h"
#include "irl/engine/data/toy_mixtures.h"
#include "test_support.h"
#include "test_registry.h"

#include <QtTest/QtTest>
#include <torch/torch.h>

using namespace irl;
using irl::test::relative_error;

namespace {

// Wraps a denoiser, counting calls and optionally cancelling a token on the k-th call.
class CountingDenoiser : public Denoiser {
public:
    explicit CountingDenoiser(Denoiser& inner) : inner_(inner) {}
    torch::Tensor denoise(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& labels) override {
        ++calls;
        rows += x.size(0);
        if (cancel && calls == cancel_on_call) cancel->cancel();
        return inner_.denoise(x, sigma, labels);
    }
    std::vector<int64_t> sample_shape() const override { return inner_.sample_shape(); }
    int64_t num_classes() const override { return inner_.num_classes(); }
    double sigma_data() const override { return inner_.sigma_data(); }
    std::string identity() const override { return inner_.identity(); }

    int calls = 0;
    int64_t rows = 0;
    CancelToken* cancel = nullptr;
    int cancel_on_call = -1;

private:
    Denoiser& inner_;
};


}  // namespace

class TestStepControl : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void guidanceMatchesFormula();
    void renoiseKeepsMarginalWithinCap();
    void perSamplePolicy();
    void sameSeedSameSamples();
    void cancelStopsWithinOneCall();
    void previewThrottle();
    void badLabelsAreRefused();
    void nextNudgesTheNextLevelWithinItsNeighbours();
    void aStartPictureAtSigmaZeroIsReturnedExactly();
    void aStartPictureAtSigmaMaxIsForgotten();
    void strengthIsALevelOfTheSchedule();
};

void TestStepControl::guidanceMatchesFormula() {
    // One Euler step to sigma = 0 returns the guided denoiser output itself.
    GaussianMixtureDenoiser exact(make_toy_mixture("imbalanced3"), "imbalanced3");
    CountingDenoiser counting(exact);
    SamplerSettings settings;
    settings.solver = Solver::Euler;
    settings.sigmas = {2.0, 0.0};
    settings.fixed.guidance = 3.0;
    SampleRequest r = test::float64_request(6, 2);
    r.labels = torch::tensor({0, 1, 2, -1, 0, -1}, torch::kInt64);
    at::Generator g = make_generator(4);
    r.initial = 2.0 * standard_normal({6, 2}, g, torch::kFloat64);
    const SampleResult result = sample(counting, settings, r);

    const torch::Tensor sigma = torch::full({6}, 2.0, torch::kFloat64);
    const torch::Tensor conditional = exact.mixture().posterior_mean(*r.initial, sigma, r.labels);
    const torch::Tensor unconditional = exact.mixture().posterior_mean(*r.initial, sigma);
    const torch::Tensor expected = unconditional + 3.0 * (conditional - unconditional);
    QVERIFY(relative_error(result.samples, expected) < 1e-12);
    // Conditional samples with w != 1 cost two evaluations, unconditional ones one.
    QVERIFY(torch::equal(result.evaluations, torch::tensor({2, 2, 2, 1, 2, 1}, torch::kInt64)));
    QCOMPARE(result.nfe, 10.0 / 6.0);
    QCOMPARE(counting.calls, 1);   // batched into one call
    QCOMPARE(counting.rows, int64_t(10));
}

void TestStepControl::renoiseKeepsMarginalWithinCap() {
    GaussianMixtureDenoiser denoiser(make_toy_mixture("gaussian"), "gaussian");
    SamplerSettings settings;
    settings.solver = Solver::Heun;
    settings.sigmas = karras_schedule(64, 0.002, 80.0);
    settings.fixed.renoise = 2;
    settings.renoise_cap = 10;
    const SampleResult result = sample(denoiser, settings, test::float64_request(30000, 6));
    const GaussianMixture& data = denoiser.mixture();
    const double err = relative_error(test::sample_covariance(result.samples), data.marginal_covariance(0.0));
    QVERIFY2(err < 0.04, qPrintable(QString::number(err)));
    // Every level jumped back is one more step: 64 + 10 steps, two evaluations each but the last.
    QCOMPARE(result.nfe, 147.0);
    QCOMPARE(result.iterations, int64_t(64 + 10));
}

void TestStepControl::perSamplePolicy() {
    // A policy that renoises only even samples and guides only odd ones, once, at the fifth step.
    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"), "ring8");
    SamplerSettings settings;
    settings.solver = Solver::Euler;
    settings.sigmas = karras_schedule(10, 0.002, 80.0);
    settings.renoise_cap = 3;
    int seen = 0;
    settings.control = [&](const StepState& state, const StepControls& fixed) {
        ++seen;
        StepControls c = fixed;
        if (state.iteration == 4) {
            const torch::Tensor even = (state.active_index % 2 == 0);
            c.renoise = torch::where(even, torch::full_like(c.renoise, 3), c.renoise);
            c.guidance = torch::where(even, c.guidance, torch::full_like(c.guidance, 2.0));
        }
        return c;
    };
    SampleRequest r = test::float64_request(8, 1);
    r.labels = torch::full({8}, 5, torch::kInt64);
    const SampleResult result = sample(denoiser, settings, r);
    // Even samples: 10 + 3 Euler steps; odd samples: 10 steps, one of them guided (2 evaluations).
    QVERIFY2(torch::equal(result.evaluations, torch::tensor({13, 11, 13, 11, 13, 11, 13, 11}, torch::kInt64)),
             qPrintable(QString::fromStdString(torch::str(result.evaluations))));
    QCOMPARE(result.iterations, int64_t(13));
    QCOMPARE(seen, 13);
}

void TestStepControl::sameSeedSameSamples() {
    GaussianMixtureDenoiser denoiser(make_toy_mixture("grid25"), "grid25");
    SamplerSettings settings;
    settings.solver = Solver::Heun;
    settings.sigmas = karras_schedule(10, 0.002, 80.0);
    settings.churn_rule.s_churn = 10.0;  // stochastic: seeds matter at every step
    const torch::Tensor a = sample(denoiser, settings, test::float64_request(100, 42)).samples;
    const torch::Tensor b = sample(denoiser, settings, test::float64_request(100, 42)).samples;
    const torch::Tensor c = sample(denoiser, settings, test::float64_request(100, 43)).samples;
    QVERIFY(torch::equal(a, b));
    QVERIFY(!torch::allclose(a, c));
}

void TestStepControl::cancelStopsWithinOneCall() {
    GaussianMixtureDenoiser exact(make_toy_mixture("ring8"), "ring8");
    CountingDenoiser counting(exact);
    CancelToken token;
    counting.cancel = &token;
    counting.cancel_on_call = 5;
    SamplerSettings settings;
    settings.sigmas = karras_schedule(18, 0.002, 80.0);
    SampleRequest r = test::float64_request(16, 0);
    r.cancel = &token;
    QVERIFY_THROWS_EXCEPTION(Cancelled, sample(counting, settings, r));
    QCOMPARE(counting.calls, 5);  // the call during which cancel came was the last one
}

void TestStepControl::previewThrottle() {
    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"), "ring8");
    SamplerSettings settings;
    settings.sigmas = karras_schedule(12, 0.002, 80.0);
    SampleRequest r = test::float64_request(4, 0);
    std::vector<int64_t> iterations;
    bool last_seen = false;
    r.on_step = [&](const StepPreview& p) {
        iterations.push_back(p.iteration);
        QCOMPARE(p.x.sizes(), (std::vector<int64_t>{4, 2}));
        QCOMPARE(p.denoised.sizes(), p.x.sizes());
        last_seen = p.last;
    };
    sample(denoiser, settings, r);
    QCOMPARE(iterations.size(), size_t(12));
    QCOMPARE(iterations.front(), int64_t(1));
    QVERIFY(last_seen);
    iterations.clear();
    r.preview_interval_ms = 60000;  // throttled: the first and the last step only
    sample(denoiser, settings, r);
    QCOMPARE(iterations, (std::vector<int64_t>{1, 12}));
}

void TestStepControl::badLabelsAreRefused() {
    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"), "ring8");
    SamplerSettings settings;
    settings.sigmas = karras_schedule(4, 0.002, 80.0);
    SampleRequest r = test::float64_request(3, 0);
    r.labels = torch::tensor({0, 8, 1}, torch::kInt64);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, sample(denoiser, settings, r));
    r.labels = torch::tensor({0, 1}, torch::kInt64);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, sample(denoiser, settings, r));
    settings.sigmas = {1.0, 2.0, 0.0};
    r.labels = torch::Tensor();
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, sample(denoiser, settings, r));
}

// The Next action: factor 1 is the plain sampler bit for bit; any other factor moves each next
// level to its sigma times the factor, kept at most half-way (in log sigma) to the sigma the step
// starts from and to the level after it (the last nonzero level at most halves), and never moves
// the step to 0 or costs an evaluation.
void TestStepControl::nextNudgesTheNextLevelWithinItsNeighbours() {
    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"), "toy:ring8");
    SamplerSettings settings;
    settings.solver = Solver::Euler;
    settings.sigmas = karras_schedule(5, 0.002, 2.0, 3.0);
    ActionSpace space;
    space.components = {ActionComponent{ActionKind::Next, {1.0, 0.8, 100.0, 0.01}}};
    SampleRequest request;
    request.count = 16;
    request.seed = 3;
    request.dtype = torch::kFloat64;
    request.record_path = true;
    auto taken_with = [&](int64_t choice) {
        FixedPolicy policy(space, 5, {choice});
        return rollout_policy(denoiser, policy, settings, request, 0.0, false).result;
    };
    const SampleResult plain = sample(denoiser, settings, request);
    QVERIFY(torch::equal(taken_with(0).samples, plain.samples));
    const std::vector<double>& s = settings.sigmas;
    for (int64_t choice : {1, 2, 3}) {
        const double factor = space.components[0].choices[static_cast<size_t>(choice)];
        const SampleResult r = taken_with(choice);
        QVERIFY(torch::all(r.evaluations == 5).item<bool>());
        const std::vector<double> taken = schedule_taken(r.path, 0);
        QCOMPARE(taken.size(), s.size());
        QCOMPARE(taken.front(), s.front());
        QCOMPARE(taken.back(), 0.0);
        for (size_t i = 1; i + 1 < s.size(); ++i) {
            const double low = s[i + 1] > 0 ? std::sqrt(s[i] * s[i + 1]) : 0.5 * s[i];
            const double high = std::sqrt(s[i] * taken[i - 1]);
            const double expected = std::min(std::max(s[i] * factor, low), high);
            QVERIFY2(std::abs(taken[i] - expected) <= 1e-12 * expected, qPrintable(QString("factor %1, level %2").arg(factor).arg(i)));
            QVERIFY(taken[i] < taken[i - 1]);
        }
    }
}

// Image-to-image at strength 0: the picture comes back exactly, with no function evaluation.
void TestStepControl::aStartPictureAtSigmaZeroIsReturnedExactly() {
    GaussianMixtureDenoiser exact(make_toy_mixture("ring8"), "ring8");
    CountingDenoiser denoiser(exact);
    SamplerSettings settings;
    settings.sigmas = karras_schedule(10, 0.002, 80.0);
    SampleRequest request = test::float64_request(64, 3);
    const torch::Tensor picture = torch::randn({64, 2}, torch::kFloat64) * 3.0;
    request.start_image = picture;
    request.start_sigma = 0.0;
    const SampleResult result = sample(denoiser, settings, request);
    QVERIFY(torch::equal(result.samples, picture));
    QCOMPARE(result.nfe, 0.0);
    QCOMPARE(denoiser.calls, 0);
}

// From the highest level, with a stochastic solver (SDEdit's setting), the start picture is
// forgotten: samples from pictures far off the ring ((6, -6) and (20, -20)) are as close to the true
// data, by MMD² of 4000 against 4000, as samples from pure noise are, the largest over three seeds.
// (With an ODE solver the map from the start is deterministic, so a picture 6 or 20 away from the
// data's mean keeps biasing the samples even from σ = 80: measured MMD² 0.0018 and 0.015 against
// 0.00035 from noise, Heun, 18 levels.) A low start keeps the picture's neighbourhood.
void TestStepControl::aStartPictureAtSigmaMaxIsForgotten() {
    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"), "ring8");
    SamplerSettings settings;
    settings.solver = Solver::EulerAncestral;
    settings.sigmas = karras_schedule(18, 0.002, 80.0);
    at::Generator g = make_generator(99);
    const torch::Tensor truth = denoiser.mixture().sample(4000, g);
    const std::vector<double> bandwidths{0.2, 0.5, 1.0, 2.0};
    double noise_worst = 0.0;
    for (uint64_t seed : {1, 2, 3})
        noise_worst = std::max(noise_worst, mmd_squared(sample(denoiser, settings, test::float64_request(4000, seed)).samples, truth, bandwidths));
    SampleRequest request = test::float64_request(4000, 4);
    request.start_sigma = 80.0;
    SampleResult from_picture;
    for (double far : {6.0, 20.0}) {
        request.start_image = torch::tensor({far, -far}, torch::kFloat64).unsqueeze(0);
        from_picture = sample(denoiser, settings, request);
        const double picture_mmd = mmd_squared(from_picture.samples, truth, bandwidths);
        QVERIFY2(picture_mmd <= noise_worst,
                 qPrintable(QString("from (%1, -%1): %2, from noise at worst %3").arg(far).arg(picture_mmd).arg(noise_worst)));
        QCOMPARE(from_picture.nfe, 18.0);  // Euler ancestral, 18 levels: nothing skipped
    }
    // Started low (σ = 0.5), far fewer evaluations, and the samples stay nearer the picture (the
    // nearest modes) than samples started from the top, which spread over the whole ring.
    request.start_sigma = 0.5;
    const SampleResult low = sample(denoiser, settings, request);
    QVERIFY(low.nfe < 8.0);
    const torch::Tensor at = torch::tensor({20.0, -20.0}, torch::kFloat64);
    const double near = (low.samples - at).norm(2, 1).mean().item<double>(), far = (from_picture.samples - at).norm(2, 1).mean().item<double>();
    QVERIFY2(near < far - 0.5, qPrintable(QString("from 0.5: %1 from the picture; from 80: %2").arg(near).arg(far)));
}

void TestStepControl::strengthIsALevelOfTheSchedule() {
    const std::vector<double> sigmas = karras_schedule(10, 0.002, 80.0);
    QCOMPARE(strength_to_sigma(sigmas, 1.0), 80.0);
    QCOMPARE(strength_to_sigma(sigmas, 0.0), sigmas[9]);
    QCOMPARE(strength_to_sigma(sigmas, 0.5), sigmas[5]);  // 4.5 levels down, the nearer rounded away
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, strength_to_sigma(sigmas, 1.5));
}

IRL_TEST_CLASS("test_step_control", TestStepControl)
#include "test_step_control.moc"
