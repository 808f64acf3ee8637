// The discriminator estimates the log density ratio: trained on Gaussian expert and policy
// states at several noise levels, its logit is compared with the exact log ratio.
#include "irl/engine/learning/irl/discriminator.h"
#include "irl/engine/models/gaussian_mixture.h"
#include "irl/engine/core/random.h"
#include "test_registry.h"

#include <QtTest/QtTest>
#include <torch/torch.h>

using namespace irl;

class TestDiscriminator : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void logitEstimatesTheLogRatio();
    void imagesShape();
};

void TestDiscriminator::logitEstimatesTheLogRatio() {
    torch::manual_seed(0);
    const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
    // Expert: N((1, 0), diag(0.5, 0.3)); policy: N((0, 0.5), I). At noise sigma both widen by sigma^2 I.
    GaussianMixture expert(torch::ones({1}, f64), torch::tensor({{1.0, 0.0}}, f64), torch::diag(torch::tensor({0.5, 0.3}, f64)).unsqueeze(0), {});
    GaussianMixture policy(torch::ones({1}, f64), torch::tensor({{0.0, 0.5}}, f64), torch::eye(2, f64).unsqueeze(0), {});
    const std::vector<double> sigmas{0.05, 0.3, 1.0};
    at::Generator g = make_generator(3);
    auto noised = [&](const GaussianMixture& m, int64_t n, const torch::Tensor& sigma) {
        return m.sample(n, g) + sigma.unsqueeze(1) * standard_normal({n, 2}, g, torch::kFloat64);
    };
    auto random_sigmas = [&](int64_t n) {
        const torch::Tensor pick = at::randint(static_cast<int64_t>(sigmas.size()), {n}, g, torch::kInt64);
        return torch::tensor(sigmas, f64).index_select(0, pick);
    };
    Discriminator model(std::vector<int64_t>{2}, 64);
    torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(3e-3));
    DiscriminatorStats stats;
    for (int step = 0; step < 1500; ++step) {
        const torch::Tensor se = random_sigmas(256), sp = random_sigmas(256);
        stats = discriminator_step(model, optimizer, noised(expert, 256, se), se, noised(policy, 256, sp), sp);
    }
    qInfo("final loss %.3f, accuracy %.3f", stats.loss, stats.accuracy);
    // Where either density has mass, the logit tracks log p_E - log p_pi.
    for (double s : sigmas) {
        const torch::Tensor sigma = torch::full({2000}, s, f64);
        const torch::Tensor x = torch::cat({noised(expert, 1000, sigma.narrow(0, 0, 1000)), noised(policy, 1000, sigma.narrow(0, 0, 1000))});
        const torch::Tensor exact = expert.log_density(x, sigma) - policy.log_density(x, sigma);
        torch::NoGradGuard no_grad;
        const torch::Tensor logit = model->forward(x, sigma).to(torch::kFloat64);
        const double correlation = torch::corrcoef(torch::stack({logit, exact}))[0][1].item<double>();
        const double error = (logit - exact).abs().median().item<double>();
        qInfo("sigma %.2f: correlation %.3f, median |error| %.3f (exact ratio spread %.2f)", s, correlation, error,
              exact.std().item<double>());
        QVERIFY2(correlation > 0.95, qPrintable(QString::number(correlation)));
        QVERIFY2(error < 0.35, qPrintable(QString::number(error)));
    }
}

void TestDiscriminator::imagesShape() {
    Discriminator model(std::vector<int64_t>{1, 28, 28});
    const torch::Tensor logits = model->forward(torch::randn({5, 1, 28, 28}), torch::tensor({0.01, 0.1, 1.0, 10.0, 80.0}));
    QCOMPARE(logits.sizes(), (std::vector<int64_t>{5}));
    QVERIFY(torch::isfinite(logits).all().item<bool>());
}

IRL_TEST_CLASS("test_discriminator", TestDiscriminator)
#include "test_discriminator.moc"
