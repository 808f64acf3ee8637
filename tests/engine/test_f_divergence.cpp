// f-divergences and their rewards against exact Gaussian density ratios: the divergences match
// their closed forms, and each reward is the functional derivative that policy gradient needs.
#include "irl/engine/learning/irl/f_divergence.h"
#include "test_registry.h"

#include <QtTest/QtTest>
#include <torch/torch.h>

#include <cmath>

using namespace irl;

namespace {

// A fine grid on the line, for quadrature of 1-D densities.
const torch::Tensor kGrid = torch::linspace(-14.0, 14.0, 200001, torch::kFloat64);
const double kStep = 28.0 / 200000.0;

torch::Tensor gaussian_log_density(const torch::Tensor& x, double mean, double sd) {
    return -0.5 * ((x - mean) / sd).square() - std::log(sd) - 0.5 * std::log(2.0 * M_PI);
}

double integral(const torch::Tensor& values) { return (values.sum() * kStep).item<double>(); }

// D_f(rho_E || rho_pi) = int rho_pi f(rho_E / rho_pi) by quadrature.
double divergence(const DivergenceSpec& spec, const torch::Tensor& log_expert, const torch::Tensor& log_policy) {
    return integral(log_policy.exp() * divergence_generator(spec, log_expert - log_policy));
}

}  // namespace

class TestFDivergence : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void closedForms();
    void rewardIsTheFunctionalDerivative_data();
    void rewardIsTheFunctionalDerivative();
    void precisionRecallLambda();
    void namesAndErrors();
};

void TestFDivergence::closedForms() {
    // Expert N(0, 1), policy N(m, s^2).
    const double m = 0.7, s = 1.4;
    const torch::Tensor le = gaussian_log_density(kGrid, 0.0, 1.0), lp = gaussian_log_density(kGrid, m, s);
    // KL(N(a, A^2) || N(b, B^2)) = log(B/A) + (A^2 + (a - b)^2) / (2 B^2) - 1/2
    const double kl_expert_policy = std::log(s / 1.0) + (1.0 + m * m) / (2.0 * s * s) - 0.5;
    const double kl_policy_expert = std::log(1.0 / s) + (s * s + m * m) / 2.0 - 0.5;
    QVERIFY(std::abs(divergence({Divergence::ForwardKl}, le, lp) - kl_expert_policy) < 1e-6);
    QVERIFY(std::abs(divergence({Divergence::ReverseKl}, le, lp) - kl_policy_expert) < 1e-6);
    // Pearson chi^2(P || Q) = int p^2 / q - 1; for these Gaussians (needs 2 s^2 > 1):
    // int p^2/q = s^2 / sqrt(2 s^2 - 1) * exp(m^2 / (2 s^2 - 1)).
    const double chi2 = s * s / std::sqrt(2.0 * s * s - 1.0) * std::exp(m * m / (2.0 * s * s - 1.0)) - 1.0;
    QVERIFY(std::abs(divergence({Divergence::PearsonChiSquared}, le, lp) - chi2) < 1e-6);
    // JS is bounded by log 2 and is zero for equal densities.
    const double js = divergence({Divergence::JensenShannon}, le, lp);
    QVERIFY(js > 0.0 && js < std::log(2.0));
    QVERIFY(std::abs(divergence({Divergence::JensenShannon}, le, le)) < 1e-12);
    // PR with lambda = 1 is the total variation distance: int max(p, q) - 1 = TV.
    const double tv = 0.5 * integral((le.exp() - lp.exp()).abs());
    QVERIFY(std::abs(divergence({Divergence::PrecisionRecall, 1.0}, le, lp) - tv) < 1e-6);
}

void TestFDivergence::rewardIsTheFunctionalDerivative_data() {
    QTest::addColumn<int>("kind");
    QTest::addColumn<double>("lambda");
    QTest::newRow("forward-kl") << int(Divergence::ForwardKl) << 1.0;
    QTest::newRow("reverse-kl") << int(Divergence::ReverseKl) << 1.0;
    QTest::newRow("jensen-shannon") << int(Divergence::JensenShannon) << 1.0;
    QTest::newRow("pearson") << int(Divergence::PearsonChiSquared) << 1.0;
    QTest::newRow("precision-recall 2") << int(Divergence::PrecisionRecall) << 2.0;
    QTest::newRow("precision-recall 0.5") << int(Divergence::PrecisionRecall) << 0.5;
}

void TestFDivergence::rewardIsTheFunctionalDerivative() {
    // Move the policy's occupancy toward another density q: rho_eps = (1 - eps) rho_pi + eps q.
    // d/deps D_f(rho_E || rho_eps) at 0 must equal -(E_q[R] - E_pi[R]): raising the expected
    // reward lowers the divergence, at first order.
    QFETCH(int, kind);
    QFETCH(double, lambda);
    const DivergenceSpec spec{static_cast<Divergence>(kind), lambda};
    const torch::Tensor le = gaussian_log_density(kGrid, 0.0, 1.0), lp = gaussian_log_density(kGrid, 0.6, 1.3), lq = gaussian_log_density(kGrid, -0.3, 0.9);
    const double eps = 1e-5;
    auto mixed = [&](double e) { return ((1.0 - e) * lp.exp() + e * lq.exp()).log(); };
    const double numeric = (divergence(spec, le, mixed(eps)) - divergence(spec, le, mixed(-eps))) / (2.0 * eps);
    const torch::Tensor reward = divergence_reward(spec, le - lp, 50.0);
    const double analytic = -(integral(lq.exp() * reward) - integral(lp.exp() * reward));
    QVERIFY2(std::abs(numeric - analytic) < 1e-4 * std::max(1.0, std::abs(analytic)),
             qPrintable(QString("numeric %1, from the reward %2").arg(numeric).arg(analytic)));
}

void TestFDivergence::precisionRecallLambda() {
    // The reward penalises states the policy over-visits relative to the expert by more than 1/lambda.
    const torch::Tensor l = torch::tensor({-2.0, -0.5, 0.5, 2.0}, torch::kFloat64);
    QVERIFY(torch::equal(divergence_reward({Divergence::PrecisionRecall, 1.0}, l), torch::tensor({0.0, 0.0, 1.0, 1.0}, torch::kFloat64)));
    QVERIFY(torch::equal(divergence_reward({Divergence::PrecisionRecall, 4.0}, l), torch::tensor({3.0, 4.0, 4.0, 4.0}, torch::kFloat64)));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, divergence_reward({Divergence::PrecisionRecall, 0.0}, l));
}

void TestFDivergence::namesAndErrors() {
    for (const auto& name : divergence_names()) QCOMPARE(std::string(to_string(divergence_from_string(name))), name);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, divergence_from_string("wasserstein"));
}

IRL_TEST_CLASS("test_f_divergence", TestFDivergence)
#include "test_f_divergence.moc"
