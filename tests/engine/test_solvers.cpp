// Solvers against closed forms on Gaussian data: exact marginals, the exact probability-flow
// solution, convergence orders, and gDDIM's marginal preservation for every lambda.
#include "irl/engine/models/gaussian_mixture_denoiser.h"
#include "irl/engine/core/random.h"
#include "irl/engine/sampling/sampler.h"
#include "irl/engine/sampling/schedule.h"
#include "irl/engine/data/toy_mixtures.h"
#include "test_support.h"
#include "test_registry.h"

#include <QtTest/QtTest>
#include <torch/torch.h>

#include <cmath>

using namespace irl;
using irl::test::relative_error;

namespace {

GaussianMixtureDenoiser gaussian_denoiser() { return GaussianMixtureDenoiser(make_toy_mixture("gaussian"), "gaussian"); }


// Max error against the exact flow map, from the same initial noise.
double flow_error(Solver solver, int steps) {
    GaussianMixtureDenoiser denoiser = gaussian_denoiser();
    const GaussianMixture& data = denoiser.mixture();
    SamplerSettings settings;
    settings.solver = solver;
    settings.sigmas = karras_schedule(steps, 0.002, 80.0);
    SampleRequest r = test::float64_request(256, 5);
    at::Generator g = make_generator(99);
    r.initial = 80.0 * standard_normal({256, 2}, g, torch::kFloat64);
    const torch::Tensor out = sample(denoiser, settings, r).samples;
    const torch::Tensor exact = test::gaussian_flow(*r.initial, data.marginal_mean(), data.marginal_covariance(0.0), 80.0, 0.0);
    return (out - exact).abs().max().item<double>();
}

}  // namespace

class TestSolvers : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void deterministicSolversReproduceGaussian_data();
    void deterministicSolversReproduceGaussian();
    void heunIsSecondOrder();
    void dpmSolverIsSecondOrder();
    void eulerIsFirstOrder();
    void gddimOracleStepPreservesMarginal_data();
    void gddimOracleStepPreservesMarginal();
    void gddimKeepsMarginalAtEveryStep_data();
    void gddimKeepsMarginalAtEveryStep();
    void stochasticSolversReachData();
    void lambdaZeroIsDdimAndOneIsAncestral();
    void functionEvaluationCounts();
    void solverNamesRoundTrip();
    void nonFiniteDenoiserOutputStopsTheSampler();
};

void TestSolvers::deterministicSolversReproduceGaussian_data() {
    // First-order solvers need more steps for the same bias.
    QTest::addColumn<int>("solver");
    QTest::addColumn<int>("steps");
    QTest::newRow("euler") << int(Solver::Euler) << 512;
    QTest::newRow("heun") << int(Solver::Heun) << 128;
    QTest::newRow("dpmpp-2m") << int(Solver::DpmSolver2M) << 128;
    QTest::newRow("gddim-0") << int(Solver::Gddim) << 512;
}

void TestSolvers::deterministicSolversReproduceGaussian() {
    QFETCH(int, solver);
    QFETCH(int, steps);
    GaussianMixtureDenoiser denoiser = gaussian_denoiser();
    SamplerSettings settings;
    settings.solver = static_cast<Solver>(solver);
    settings.sigmas = karras_schedule(steps, 0.002, 80.0);
    const SampleResult result = sample(denoiser, settings, test::float64_request(40000, 1));
    const GaussianMixture& data = denoiser.mixture();
    // 40k samples: the standard error of the covariance is about 1%.
    QVERIFY2(relative_error(test::sample_mean(result.samples), data.marginal_mean()) < 0.03,
             qPrintable(QString::number(relative_error(test::sample_mean(result.samples), data.marginal_mean()))));
    const double cov_error = relative_error(test::sample_covariance(result.samples), data.marginal_covariance(0.0));
    QVERIFY2(cov_error < 0.03, qPrintable(QString::number(cov_error)));
}

void TestSolvers::heunIsSecondOrder() {
    const double e16 = flow_error(Solver::Heun, 16), e32 = flow_error(Solver::Heun, 32), e64 = flow_error(Solver::Heun, 64);
    qInfo("Heun max error vs exact flow: 16 steps %.3g, 32 %.3g, 64 %.3g", e16, e32, e64);
    QVERIFY2(e16 / e32 > 3.0 && e16 / e32 < 5.5, qPrintable(QString::number(e16 / e32)));
    QVERIFY2(e32 / e64 > 3.0 && e32 / e64 < 5.5, qPrintable(QString::number(e32 / e64)));
}

void TestSolvers::dpmSolverIsSecondOrder() {
    const double e16 = flow_error(Solver::DpmSolver2M, 16), e32 = flow_error(Solver::DpmSolver2M, 32),
                 e64 = flow_error(Solver::DpmSolver2M, 64);
    qInfo("DPM-Solver++(2M) max error: 16 steps %.3g, 32 %.3g, 64 %.3g", e16, e32, e64);
    QVERIFY2(e32 / e64 > 3.0, qPrintable(QString::number(e32 / e64)));
}

void TestSolvers::eulerIsFirstOrder() {
    const double e32 = flow_error(Solver::Euler, 32), e64 = flow_error(Solver::Euler, 64);
    qInfo("Euler max error: 32 steps %.3g, 64 %.3g", e32, e64);
    QVERIFY2(e32 / e64 > 1.6 && e32 / e64 < 2.6, qPrintable(QString::number(e32 / e64)));
    QVERIFY(flow_error(Solver::Heun, 32) < e64);  // second order beats first order at half the steps
}

void TestSolvers::gddimOracleStepPreservesMarginal_data() {
    QTest::addColumn<double>("lambda");
    for (double l : {0.0, 0.5, 1.0, 2.0}) QTest::newRow(qPrintable(QString("lambda %1").arg(l))) << l;
}

void TestSolvers::gddimOracleStepPreservesMarginal() {
    // Given the true x0, x_t = x0 + sigma_t eps steps to x_s with x_s - x0 ~ N(0, sigma_s^2) for every lambda.
    QFETCH(double, lambda);
    const int64_t n = 400000;
    at::Generator g = make_generator(21);
    const torch::Tensor x0 = standard_normal({n, 1}, g, torch::kFloat64);
    const double sigma_t = 3.0, sigma_s = 1.2;
    const torch::Tensor x_t = x0 + sigma_t * standard_normal({n, 1}, g, torch::kFloat64);
    const torch::Tensor x_s = gddim_step(x_t, x0, torch::full({n}, sigma_t, torch::kFloat64), torch::full({n}, sigma_s, torch::kFloat64),
                                         torch::full({n}, lambda, torch::kFloat64), standard_normal({n, 1}, g, torch::kFloat64));
    const torch::Tensor residual = x_s - x0;
    QVERIFY(std::abs(residual.mean().item<double>()) < 0.01);
    QVERIFY2(std::abs(residual.std().item<double>() / sigma_s - 1.0) < 0.005,
             qPrintable(QString::number(residual.std().item<double>())));
}

void TestSolvers::gddimKeepsMarginalAtEveryStep_data() { gddimOracleStepPreservesMarginal_data(); }

void TestSolvers::gddimKeepsMarginalAtEveryStep() {
    // For Gaussian data N(mu, S) the exact denoiser is linear, so the gDDIM chain is linear-Gaussian and
    // the covariance of every intermediate state is known in closed form:
    //   x_s - mu = C (x_t - mu) + sigma_s sqrt(1 - r^(2 lambda^2)) z,
    //   C = S (S + t^2)^-1 + r^(1+lambda^2) t^2 (S + t^2)^-1,   V_s = C V_t C^T + sigma_s^2 (1 - r^(2 lambda^2)) I.
    // The sampler must follow it at every step; and the chain must converge to the true marginal
    // N(mu, S + sigma^2 I) as the steps grow (the step itself is exact given x0: see the oracle test).
    QFETCH(double, lambda);
    GaussianMixtureDenoiser denoiser = gaussian_denoiser();
    const GaussianMixture& data = denoiser.mixture();
    const torch::Tensor s = data.covariances()[0], eye = torch::eye(2, torch::kFloat64);
    auto chain = [&](const std::vector<double>& sigmas, double* worst_to_true) {
        std::vector<torch::Tensor> v{s + sigmas[0] * sigmas[0] * eye};
        *worst_to_true = 0.0;
        for (size_t i = 0; i + 1 < sigmas.size(); ++i) {
            const double t = sigmas[i], next = sigmas[i + 1], r = next / t;
            const torch::Tensor inverse = torch::linalg::inv(s + t * t * eye);
            const torch::Tensor c = s.matmul(inverse) + std::pow(r, 1.0 + lambda * lambda) * t * t * inverse;
            v.push_back(c.matmul(v.back()).matmul(c.transpose(0, 1)) +
                        next * next * (1.0 - std::pow(r, 2.0 * lambda * lambda)) * eye);
            *worst_to_true = std::max(*worst_to_true, relative_error(v.back(), s + next * next * eye));
        }
        return v;
    };
    SamplerSettings settings;
    settings.solver = Solver::Gddim;
    settings.fixed.stochasticity = lambda;
    settings.sigmas = karras_schedule(100, 0.002, 80.0);
    double bias100 = 0.0, bias400 = 0.0;
    const std::vector<torch::Tensor> expected = chain(settings.sigmas, &bias100);
    chain(karras_schedule(400, 0.002, 80.0), &bias400);
    qInfo("lambda %.1f: worst distance of the chain to the true marginal, 100 steps %.4f, 400 steps %.4f", lambda, bias100,
          bias400);
    QVERIFY(bias400 < bias100 / 3.0);  // first-order convergence to the exact marginal

    SampleRequest r = test::float64_request(30000, 3);
    double worst = 0.0;
    int checked = 0;
    r.on_step = [&](const StepPreview& p) {
        worst = std::max(worst, relative_error(test::sample_covariance(p.x), expected[p.iteration]));
        QVERIFY(relative_error(test::sample_mean(p.x), data.marginal_mean()) < 0.1 + p.sigma[0].item<double>());
        ++checked;
    };
    sample(denoiser, settings, r);
    QCOMPARE(checked, 100);
    // 30k samples: about 1% standard error on each covariance entry.
    QVERIFY2(worst < 0.035, qPrintable(QString("worst covariance error %1").arg(worst)));
}

void TestSolvers::stochasticSolversReachData() {
    const GaussianMixture data = make_toy_mixture("gaussian");
    // Stochastic samplers converge more slowly than deterministic ones (see the chain above): more steps.
    const std::pair<Solver, int> runs[] = {{Solver::EulerAncestral, 400}, {Solver::Heun, 96}};
    for (const auto& [solver, steps] : runs) {
        GaussianMixtureDenoiser denoiser = gaussian_denoiser();
        SamplerSettings settings;
        settings.solver = solver;
        settings.sigmas = karras_schedule(steps, 0.002, 80.0);
        settings.churn_rule.s_churn = 40.0;  // used by Heun only
        const SampleResult result = sample(denoiser, settings, test::float64_request(30000, 4));
        const double err = relative_error(test::sample_covariance(result.samples), data.marginal_covariance(0.0));
        QVERIFY2(err < 0.05, qPrintable(QString("%1: %2").arg(to_string(solver)).arg(err)));
    }
}

void TestSolvers::lambdaZeroIsDdimAndOneIsAncestral() {
    // gDDIM with lambda 0 is the Euler step of the flow; with lambda 1 it is Euler ancestral.
    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"), "ring8");
    SamplerSettings euler, gddim;
    euler.solver = Solver::Euler;
    gddim.solver = Solver::Gddim;
    euler.sigmas = gddim.sigmas = karras_schedule(12, 0.002, 80.0);
    const torch::Tensor a = sample(denoiser, euler, test::float64_request(500, 8)).samples;
    const torch::Tensor b = sample(denoiser, gddim, test::float64_request(500, 8)).samples;
    QVERIFY((a - b).abs().max().item<double>() < 1e-9);
    SamplerSettings ancestral = euler;
    ancestral.solver = Solver::EulerAncestral;
    gddim.fixed.stochasticity = 1.0;
    const torch::Tensor c = sample(denoiser, ancestral, test::float64_request(500, 8)).samples;
    const torch::Tensor d = sample(denoiser, gddim, test::float64_request(500, 8)).samples;
    QVERIFY((c - d).abs().max().item<double>() < 1e-9);
}

void TestSolvers::functionEvaluationCounts() {
    GaussianMixtureDenoiser denoiser = gaussian_denoiser();
    SamplerSettings settings;
    settings.sigmas = karras_schedule(18, 0.002, 80.0);
    const std::pair<Solver, double> expected[] = {{Solver::Heun, 35.0}, {Solver::Euler, 18.0}, {Solver::DpmSolver2M, 18.0},
                                                  {Solver::EulerAncestral, 18.0}, {Solver::Gddim, 18.0}};
    for (const auto& [solver, nfe] : expected) {
        settings.solver = solver;
        const SampleResult result = sample(denoiser, settings, test::float64_request(10, 0));
        QCOMPARE(result.nfe, nfe);
        QCOMPARE(result.iterations, int64_t(18));
        QVERIFY((result.evaluations == static_cast<int64_t>(nfe)).all().item<bool>());
    }
}

void TestSolvers::solverNamesRoundTrip() {
    for (const std::string& name : solver_names()) QCOMPARE(std::string(to_string(solver_from_string(name))), name);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, solver_from_string("rk4"));
}

namespace {

// A broken model: finite at high noise, NaN once sigma drops below 1.
class NanBelowOne : public Denoiser {
public:
    torch::Tensor denoise(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor&) override {
        return torch::where(per_sample(sigma, x) < 1.0, torch::full_like(x, std::nan("")), torch::zeros_like(x));
    }
    std::vector<int64_t> sample_shape() const override { return {2}; }
    int64_t num_classes() const override { return 0; }
    double sigma_data() const override { return 0.5; }
    std::string identity() const override { return "nan-below-one"; }
};

}  // namespace

// NaN from the model must not become samples (and then a picture of NaNs): the sampler stops at
// the first such call, naming the model and the noise level.
void TestSolvers::nonFiniteDenoiserOutputStopsTheSampler() {
    NanBelowOne denoiser;
    SamplerSettings settings;
    settings.solver = Solver::Euler;
    settings.sigmas = karras_schedule(8, 0.002, 80.0);
    SampleRequest request;
    request.count = 16;
    try {
        sample(denoiser, settings, request);
        QFAIL("NaN from the denoiser must stop the sampler");
    } catch (const std::runtime_error& e) {
        QVERIFY2(QString(e.what()).contains("nan-below-one") && QString(e.what()).contains("NaN"), e.what());
    }
}

IRL_TEST_CLASS("test_solvers", TestSolvers)
#include "test_solvers.moc"
