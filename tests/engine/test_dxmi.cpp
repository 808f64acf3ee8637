// DxMI's pieces against what is known exactly on the toys: the MLP denoiser fitted to ring8 agrees
// with the exact mixture denoiser (its posterior mean) and samples the data, and the few-step
// sampler with learnable noise is Euler ancestral itself at full noise, with its noise and its
// gradient where they are defined.
#include "irl/engine/core/random.h"
#include "irl/engine/data/toy_mixtures.h"
#include "irl/engine/learning/dxmi/few_step_sampler.h"
#include "irl/engine/learning/dxmi/toy_denoiser_fit.h"
#include "irl/engine/learning/irl/sampler_comparison.h"
#include "irl/engine/models/gaussian_mixture_denoiser.h"
#include "irl/engine/sampling/sampler.h"
#include "irl/engine/sampling/schedule.h"
#include "test_registry.h"

#include <QtTest/QtTest>
#include <torch/torch.h>

#include <cmath>

using namespace irl;

class TestDxmi : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void mlpFitDenoisesLikeTheExactDenoiser();
    void fewStepSamplerAtFullNoiseIsEulerAncestral();
};

// The fitted MLP's error against the exact posterior mean, as a share of the exact denoiser's own
// (irreducible) error against the clean points, at every noise level a sampler visits.
void TestDxmi::mlpFitDenoisesLikeTheExactDenoiser() {
    GaussianMixtureDenoiser exact(make_toy_mixture("ring8"), "toy:ring8");
    MlpFitOptions options;
    const MlpFit fit = fit_mlp_denoiser(exact.mixture(), "ring8", options);
    QVERIFY(std::isfinite(fit.loss));
    at::Generator g = make_generator(99);
    const torch::Tensor clean = exact.mixture().sample(4000, g);
    const torch::Tensor none = torch::full({4000}, kUnconditional);
    for (double level : {0.02, 0.1, 0.5, 2.0, 10.0}) {
        const torch::Tensor sigma = torch::full({4000}, level, torch::kFloat64);
        const torch::Tensor noisy = clean + level * standard_normal(clean.sizes(), g, torch::kFloat64);
        const torch::Tensor truth = exact.denoise(noisy, sigma, none);
        const double irreducible = (truth - clean).square().mean().item<double>();
        const double error = (fit.denoiser->denoise(noisy, sigma, none) - truth).square().mean().item<double>();
        qInfo("sigma %.2f: fitted error %.3g of the irreducible %.3g", level, error, irreducible);
        QVERIFY2(error < 0.1 * irreducible, qPrintable(QString("sigma %1: %2 vs %3").arg(level).arg(error).arg(irreducible)));
    }
    // And it samples the data: Heun at 35 NFE from the fit against fresh true samples.
    SamplerSettings heun;
    heun.solver = Solver::Heun;
    heun.sigmas = karras_schedule(18, 0.002, 10.0, 7.0);
    SampleRequest request;
    request.count = 2000;
    request.seed = 5;
    request.dtype = torch::kFloat64;
    const double fitted = toy_mmd_squared(sample(*fit.denoiser, heun, request).samples, clean.narrow(0, 0, 2000));
    const double reference = toy_mmd_squared(sample(exact, heun, request).samples, clean.narrow(0, 0, 2000));
    qInfo("MMD^2 at 35 NFE: fitted %.3g, exact %.3g", fitted, reference);
    QVERIFY(fitted < reference + 0.002);
}

void TestDxmi::fewStepSamplerAtFullNoiseIsEulerAncestral() {
    GaussianMixtureDenoiser exact(make_toy_mixture("ring8"), "toy:ring8");
    const std::vector<double> sigmas = karras_schedule(4, 0.002, 2.0, 3.0);
    FewStepSampler ancestral(sigmas, 1.0, 0.0);
    SamplerSettings settings;
    settings.solver = Solver::EulerAncestral;
    settings.sigmas = sigmas;
    SampleRequest request;
    request.count = 256;
    request.seed = 5;
    request.dtype = torch::kFloat64;
    const torch::Tensor classic = sample(exact, settings, request).samples;
    QVERIFY(torch::allclose(sample_few_step(exact, ancestral, 256, 5, torch::kFloat64), classic, 1e-9, 1e-9));

    // At a fraction of the ancestral noise: s_t = fraction sigma_up, the last one fixed.
    FewStepSampler quieter(sigmas, 0.3, 0.002);
    const torch::Tensor s = quieter->step_noise();
    QCOMPARE(s.size(0), int64_t(4));
    for (size_t t = 0; t + 2 < sigmas.size(); ++t) {
        const double up = sigmas[t + 1] * std::sqrt(1.0 - std::pow(sigmas[t + 1] / sigmas[t], 2.0));
        QVERIFY(std::abs(s[static_cast<int64_t>(t)].item<double>() - 0.3 * up) < 1e-9 * up);
    }
    QCOMPARE(s[3].item<double>(), 0.002);
    s.sum().backward();
    QVERIFY(quieter->noise_logits.grad().defined());
    QVERIFY((quieter->noise_logits.grad().abs() > 0).all().item<bool>());
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, FewStepSampler(std::vector<double>{1.0, 2.0, 0.0}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, FewStepSampler(std::vector<double>{1.0, 0.5}));
}

IRL_TEST_CLASS("test_dxmi", TestDxmi)
#include "test_dxmi.moc"
