// The exact Gaussian-mixture denoiser is the ground truth of every other test, so it is checked
// against independent closed forms: single-Gaussian formulas, Tweedie's identity and sampling.
#include "irl/engine/models/gaussian_mixture_denoiser.h"
#include "irl/engine/core/random.h"
#include "irl/engine/data/toy_mixtures.h"
#include "test_support.h"
#include "test_registry.h"

#include <QtTest/QtTest>
#include <torch/torch.h>

#include <cmath>

using namespace irl;
using irl::test::relative_error;

class TestGaussianMixture : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void singleGaussianMatchesClosedForm();
    void posteriorMeanObeysTweedie();
    void extremeSigmasStayFinite();
    void highDimension();
    void classConditionalRestrictsComponents();
    void samplingMatchesMoments();
    void denoiserInterface();
    void invalidParametersAreRefused();
};

void TestGaussianMixture::singleGaussianMatchesClosedForm() {
    const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
    const torch::Tensor mean = torch::tensor({1.0, -2.0}, f64);
    const torch::Tensor cov = torch::tensor({2.0, 0.5, 0.5, 1.0}, f64).reshape({2, 2});
    GaussianMixture mixture(torch::ones({1}, f64), mean.unsqueeze(0), cov.unsqueeze(0), torch::zeros({1}, torch::kInt64));
    const torch::Tensor x = torch::tensor({0.3, 0.7, -1.0, 4.0, 10.0, -10.0}, f64).reshape({3, 2});
    const torch::Tensor sigma = torch::tensor({0.5, 1.0, 3.0}, f64);
    const torch::Tensor log_p = mixture.log_density(x, sigma);
    const torch::Tensor denoised = mixture.posterior_mean(x, sigma);
    for (int64_t i = 0; i < 3; ++i) {
        const double s2 = sigma[i].item<double>() * sigma[i].item<double>();
        const torch::Tensor total = cov + s2 * torch::eye(2, f64);
        const torch::Tensor diff = x[i] - mean;
        const double quad = diff.dot(torch::linalg::solve(total, diff, true)).item<double>();
        const double expected = -0.5 * (quad + std::log(torch::det(total).item<double>()) + 2.0 * std::log(2.0 * M_PI));
        QVERIFY(std::abs(log_p[i].item<double>() - expected) < 1e-10);
        // E[x0 | x] = mu + S (S + s^2 I)^-1 (x - mu)
        const torch::Tensor expected_mean = mean + cov.matmul(torch::linalg::solve(total, diff, true));
        QVERIFY(relative_error(denoised[i], expected_mean) < 1e-12);
    }
}

void TestGaussianMixture::posteriorMeanObeysTweedie() {
    // Tweedie: E[x0 | x] = x + sigma^2 grad log p_sigma(x), with the gradient by autograd.
    const GaussianMixture mixture = make_toy_mixture("imbalanced3");
    at::Generator generator = make_generator(7);
    const torch::Tensor x = mixture.sample(64, generator) + 0.7 * standard_normal({64, 2}, generator, torch::kFloat64);
    for (double s : {0.05, 0.7, 5.0}) {
        const torch::Tensor sigma = torch::full({64}, s, torch::kFloat64);
        torch::Tensor xg = x.clone().requires_grad_(true);
        const torch::Tensor log_p = mixture.log_density(xg, sigma).sum();
        const torch::Tensor grad = torch::autograd::grad({log_p}, {xg})[0];
        const torch::Tensor tweedie = x + s * s * grad;
        const torch::Tensor denoised = mixture.posterior_mean(x, sigma);
        QVERIFY2(relative_error(denoised, tweedie) < 1e-9, qPrintable(QString("sigma %1").arg(s)));
    }
}

void TestGaussianMixture::extremeSigmasStayFinite() {
    const GaussianMixture mixture = make_toy_mixture("grid25");
    // Points far from every mode at the smallest sigma: naive exp() would underflow to 0/0.
    const torch::Tensor x = torch::tensor({50.0, -50.0, 0.5, 0.5, 1e3, 1e3, 2.0, 2.0}, torch::kFloat64).reshape({4, 2});
    for (double s : {80.0, 0.002}) {
        const torch::Tensor sigma = torch::full({4}, s, torch::kFloat64);
        const torch::Tensor denoised = mixture.posterior_mean(x, sigma);
        QVERIFY(torch::isfinite(denoised).all().item<bool>());
        QVERIFY(torch::isfinite(mixture.log_density(x, sigma)).all().item<bool>());
    }
    // At sigma = 0.002 a point on a mode denoises to (almost) itself; at sigma = 80 to the mixture mean.
    const torch::Tensor on_mode = torch::tensor({{2.0, 2.0}}, torch::kFloat64);
    QVERIFY(relative_error(mixture.posterior_mean(on_mode, torch::full({1}, 0.002, torch::kFloat64)), on_mode) < 1e-3);
    const torch::Tensor far = mixture.posterior_mean(on_mode, torch::full({1}, 80.0, torch::kFloat64));
    QVERIFY(far.abs().max().item<double>() < 0.01);
}

void TestGaussianMixture::highDimension() {
    // 64 dimensions, 5 components with random full covariances: posterior mean against Tweedie.
    torch::manual_seed(3);
    const int64_t k = 5, d = 64;
    const torch::Tensor a = torch::randn({k, d, d}, torch::kFloat64) / std::sqrt(static_cast<double>(d));
    const torch::Tensor cov = a.matmul(a.transpose(1, 2)) + 0.01 * torch::eye(d, torch::kFloat64);
    GaussianMixture mixture(torch::rand({k}, torch::kFloat64) + 0.1, torch::randn({k, d}, torch::kFloat64), cov,
                            torch::arange(k, torch::kInt64));
    const torch::Tensor x = torch::randn({8, d}, torch::kFloat64) * 2.0;
    const torch::Tensor sigma = torch::linspace(0.01, 10.0, 8, torch::kFloat64);
    torch::Tensor xg = x.clone().requires_grad_(true);
    const torch::Tensor grad = torch::autograd::grad({mixture.log_density(xg, sigma).sum()}, {xg})[0];
    const torch::Tensor tweedie = x + sigma.square().unsqueeze(1) * grad;
    QVERIFY(relative_error(mixture.posterior_mean(x, sigma), tweedie) < 1e-8);
}

void TestGaussianMixture::classConditionalRestrictsComponents() {
    const GaussianMixture mixture = make_toy_mixture("ring8");
    QCOMPARE(mixture.num_classes(), int64_t(8));
    // Class 3 alone is one isotropic component: E[x0 | x] = mu_3 + s^2 / (s^2 + sigma^2) (x - mu_3),
    // even for x next to another class's mode.
    const torch::Tensor x = torch::tensor({{-5.0, 0.0}}, torch::kFloat64);
    const torch::Tensor mode3 = mixture.means()[3].unsqueeze(0);
    const torch::Tensor denoised = mixture.posterior_mean(x, torch::full({1}, 0.5, torch::kFloat64),
                                                          torch::full({1}, 3, torch::kInt64));
    QVERIFY(relative_error(denoised, mode3 + (0.01 / 0.26) * (x - mode3)) < 1e-12);
    // Class log density = log of that component alone.
    GaussianMixture alone(torch::ones({1}, torch::kFloat64), mode3, mixture.covariances()[3].unsqueeze(0), {});
    const torch::Tensor s = torch::full({1}, 0.3, torch::kFloat64);
    QVERIFY(std::abs(mixture.log_density(x, s, torch::full({1}, 3, torch::kInt64)).item<double>() -
                     alone.log_density(x, s).item<double>()) < 1e-10);
}

void TestGaussianMixture::samplingMatchesMoments() {
    const GaussianMixture mixture = make_toy_mixture("imbalanced3");
    at::Generator generator = make_generator(11);
    torch::Tensor labels;
    const torch::Tensor x = mixture.sample(200000, generator, -1, &labels);
    QVERIFY(test::relative_error(test::sample_mean(x), mixture.marginal_mean()) < 0.02);
    QVERIFY(test::relative_error(test::sample_covariance(x), mixture.marginal_covariance(0.0)) < 0.02);
    const torch::Tensor histogram = torch::bincount(labels, {}, 3).to(torch::kFloat64) / 200000.0;
    QVERIFY(relative_error(histogram, mixture.weights()) < 0.01);
    const torch::Tensor only2 = mixture.sample(1000, generator, 2, &labels);
    QVERIFY((labels == 2).all().item<bool>());
}

void TestGaussianMixture::denoiserInterface() {
    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"), "toy:ring8");
    QCOMPARE(denoiser.sample_shape(), std::vector<int64_t>{2});
    QCOMPARE(denoiser.num_classes(), int64_t(8));
    // Ring of radius 2, std 0.1: sigma_data^2 = (4 + 2 * 0.01) / 2.
    QVERIFY(std::abs(denoiser.sigma_data() - std::sqrt(2.01)) < 1e-9);
    const torch::Tensor x = torch::randn({4, 2}).to(torch::kFloat32);
    const torch::Tensor out = denoiser.denoise(x, torch::full({4}, 1.0f), torch::full({4}, kUnconditional, torch::kInt64));
    QCOMPARE(out.scalar_type(), torch::kFloat32);
    QCOMPARE(out.sizes(), x.sizes());
}

void TestGaussianMixture::invalidParametersAreRefused() {
    const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
        GaussianMixture(torch::ones({2}, f64), torch::zeros({3, 2}, f64), torch::eye(2, f64).expand({3, 2, 2}), {}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
        GaussianMixture(torch::ones({1}, f64), torch::zeros({1, 2}, f64), -torch::eye(2, f64).unsqueeze(0), {}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, make_toy_mixture("ring9"));
    try {
        make_toy_mixture("ring9");
    } catch (const std::invalid_argument& e) {
        QVERIFY(QString(e.what()).contains("ring8"));  // the message lists what exists
    }
}

IRL_TEST_CLASS("test_gaussian_mixture", TestGaussianMixture)
#include "test_gaussian_mixture.moc"
