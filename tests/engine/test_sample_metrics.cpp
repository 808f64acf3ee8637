// Frechet distance against its closed form for Gaussians, and k-NN precision/recall on cases
// whose answer is known by construction.
#include "irl/engine/metrics/sample_metrics.h"
#include "test_registry.h"

#include <QtTest/QtTest>
#include <torch/torch.h>

#include <cmath>

using namespace irl;

class TestSampleMetrics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void frechetClosedForm();
    void frechetFromSamples();
    void precisionRecallKnownCases();
    void mmdClosedForm();
};

void TestSampleMetrics::frechetClosedForm() {
    // Commuting (diagonal) covariances: FD = |mu_a - mu_b|^2 + sum (sqrt(a_i) - sqrt(b_i))^2.
    const torch::Tensor a = torch::tensor({1.0, 4.0, 9.0}, torch::kFloat64), b = torch::tensor({4.0, 1.0, 1.0}, torch::kFloat64);
    const torch::Tensor ma = torch::tensor({0.0, 1.0, 2.0}, torch::kFloat64), mb = torch::tensor({1.0, 1.0, 0.0}, torch::kFloat64);
    const double expected = 1.0 + 4.0 + (1 - 2) * (1 - 2) + (2 - 1) * (2 - 1) + (3 - 1) * (3 - 1);
    QVERIFY(std::abs(frechet_distance(ma, torch::diag(a), mb, torch::diag(b)) - expected) < 1e-9);
    // Rotating both covariances by the same orthogonal matrix changes nothing.
    const torch::Tensor q = std::get<0>(torch::linalg::qr(torch::randn({3, 3}, torch::kFloat64)));
    QVERIFY(std::abs(frechet_distance(q.matmul(ma), q.matmul(torch::diag(a)).matmul(q.t()), q.matmul(mb),
                                      q.matmul(torch::diag(b)).matmul(q.t())) - expected) < 1e-9);
    QVERIFY(std::abs(frechet_distance(ma, torch::diag(a), ma, torch::diag(a))) < 1e-9);
}

void TestSampleMetrics::frechetFromSamples() {
    torch::manual_seed(0);
    const torch::Tensor x = torch::randn({200000, 2}, torch::kFloat64);
    const torch::Tensor y = torch::randn({200000, 2}, torch::kFloat64) * 2.0 + 1.0;
    // |(1,1)|^2 + 2 (1 - 2)^2 = 4
    QVERIFY(std::abs(frechet_distance(x, y) - 4.0) < 0.05);
}

void TestSampleMetrics::precisionRecallKnownCases() {
    torch::manual_seed(1);
    const torch::Tensor real = torch::randn({2000, 8}, torch::kFloat64);
    const torch::Tensor same = torch::randn({2000, 8}, torch::kFloat64);
    PrecisionRecall pr = precision_recall(real, same);
    QVERIFY2(pr.precision > 0.85 && pr.recall > 0.85, qPrintable(QString("%1 %2").arg(pr.precision).arg(pr.recall)));
    // Far away: nothing inside either manifold.
    pr = precision_recall(real, same + 100.0);
    QCOMPARE(pr.precision, 0.0);
    QCOMPARE(pr.recall, 0.0);
    // Mode collapse: generated points all near the real centre. Precise, but covering little.
    pr = precision_recall(real, 0.05 * same);
    QVERIFY2(pr.precision > 0.95 && pr.recall < 0.2, qPrintable(QString("%1 %2").arg(pr.precision).arg(pr.recall)));
    // Exact definition on a tiny case: real {0, 1, 2, 3} on a line, k = 1: radii 1; generated 0.5 and 10.
    const torch::Tensor r = torch::tensor({0.0, 1.0, 2.0, 3.0}, torch::kFloat64).unsqueeze(1);
    const torch::Tensor g = torch::tensor({0.5, 10.0, 11.0}, torch::kFloat64).unsqueeze(1);
    pr = precision_recall(r, g, 1);
    QCOMPARE(pr.precision, 1.0 / 3.0);
    // Generated radii (k = 1): 0.5 -> 9.5, 10 -> 1, 11 -> 1: real 0, 1, 2, 3 are all within 9.5 of 0.5.
    QCOMPARE(pr.recall, 1.0);
}

void TestSampleMetrics::mmdClosedForm() {
    // For N(0, s^2) vs N(m, s^2) in 1-D with kernel bandwidth h:
    // E k(x, x') = h / sqrt(h^2 + 2 s^2), E k(x, y) = h / sqrt(h^2 + 2 s^2) exp(-m^2 / (2 (h^2 + 2 s^2))).
    torch::manual_seed(4);
    const double s = 1.0, m = 1.5, h = 1.0;
    const torch::Tensor a = torch::randn({4000, 1}, torch::kFloat64) * s;
    const torch::Tensor b = torch::randn({4000, 1}, torch::kFloat64) * s + m;
    const double same = h / std::sqrt(h * h + 2 * s * s);
    const double expected = 2.0 * same - 2.0 * same * std::exp(-m * m / (2.0 * (h * h + 2 * s * s)));
    const double got = mmd_squared(a, b, {h});
    QVERIFY2(std::abs(got - expected) < 0.02, qPrintable(QString("%1 vs %2").arg(got).arg(expected)));
    QVERIFY(std::abs(mmd_squared(a, torch::randn({4000, 1}, torch::kFloat64) * s, {h})) < 0.01);
}

IRL_TEST_CLASS("test_sample_metrics", TestSampleMetrics)
#include "test_sample_metrics.moc"
