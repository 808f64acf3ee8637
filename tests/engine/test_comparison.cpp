// The pieces every comparison of a learned sampler rests on, against cases whose answer is known:
// the verdict on constructed rows (a clear win, a win inside the spread, a loss, a gap criterion
// judged by its size), and the toys' MMD² estimator, which is unbiased: on two independent sets
// of true samples it averages 0 within its own noise, and it grows well past that noise on a set
// shifted by two of a mode's standard deviations.
#include "irl/engine/core/random.h"
#include "irl/engine/data/toy_mixtures.h"
#include "irl/engine/learning/irl/sampler_comparison.h"
#include "test_registry.h"

#include <QtTest/QtTest>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <vector>

using namespace irl;

namespace {

nlohmann::json row(double mmd2, double spread, double gap = 0.0, double gap_spread = 0.0) {
    return {{"mmd2", mmd2}, {"mmd2_spread", spread}, {"log_density_gap", gap}, {"log_density_gap_spread", gap_spread}};
}

}  // namespace

class TestComparison : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void verdictHoldsOnlyPastTheLargerSpread();
    void toyMmdIsZeroOnTruthAndGrowsOnAShift();
};

void TestComparison::verdictHoldsOnlyPastTheLargerSpread() {
    const Criterion mmd{"mmd2", false};
    // A clear win: the margin (0.002) is larger than both spreads.
    const nlohmann::json win = verdict(row(0.001, 0.0002), row(0.003, 0.0005), mmd);
    QVERIFY(win["holds"].get<bool>());
    QCOMPARE(win["margin"].get<double>(), 0.003 - 0.001);
    QCOMPARE(win["spread"].get<double>(), 0.0005);
    // A win inside the spread: better on average, but by less than the learned row's own spread.
    const nlohmann::json inside = verdict(row(0.0028, 0.0005), row(0.003, 0.0002), mmd);
    QVERIFY(inside["margin"].get<double>() > 0.0);
    QVERIFY(!inside["holds"].get<bool>());
    // The larger spread decides, whichever row it belongs to.
    QVERIFY(!verdict(row(0.0028, 0.0), row(0.003, 0.0005), mmd)["holds"].get<bool>());
    // A loss.
    const nlohmann::json loss = verdict(row(0.004, 0.0001), row(0.003, 0.0001), mmd);
    QVERIFY(loss["margin"].get<double>() < 0.0);
    QVERIFY(!loss["holds"].get<bool>());
    // A gap is judged by its size: -0.1 beats +0.5, and +0.5 does not beat -0.1.
    const Criterion gap{"log_density_gap", true};
    QVERIFY(verdict(row(0, 0, -0.1, 0.05), row(0, 0, 0.5, 0.1), gap)["holds"].get<bool>());
    QVERIFY(!verdict(row(0, 0, 0.5, 0.1), row(0, 0, -0.1, 0.05), gap)["holds"].get<bool>());
    QCOMPARE(verdict(row(0, 0, -0.1, 0.05), row(0, 0, 0.5, 0.1), gap)["learned"].get<double>(), 0.1);
}

void TestComparison::toyMmdIsZeroOnTruthAndGrowsOnAShift() {
    const GaussianMixture ring = make_toy_mixture("ring8");
    const int pairs = 8;
    const int64_t n = 1000;
    std::vector<double> null_values, shifted_values;
    for (int k = 0; k < pairs; ++k) {
        at::Generator g = make_generator(100 + k);
        const torch::Tensor a = ring.sample(n, g), b = ring.sample(n, g);
        null_values.push_back(toy_mmd_squared(a, b));
        shifted_values.push_back(toy_mmd_squared(a + torch::tensor({0.2, 0.0}, torch::kFloat64), b));
    }
    const torch::Tensor null = torch::tensor(null_values, torch::kFloat64);
    const double mean = null.mean().item<double>(), sd = null.std().item<double>();
    const double shifted = torch::tensor(shifted_values, torch::kFloat64).mean().item<double>();
    qInfo("MMD^2 of true vs true samples (n = %lld, %d pairs): mean %.3g, sd %.3g; shifted by 0.2: %.3g", static_cast<long long>(n), pairs,
          mean, sd, shifted);
    // Unbiased: the mean of independent pairs sits at 0 within four standard errors.
    QVERIFY2(std::abs(mean) < 4.0 * sd / std::sqrt(double(pairs)), qPrintable(QString::number(mean)));
    QVERIFY2(sd > 0.0, "independent sets must not score exactly alike");
    // A shift of two of a mode's standard deviations (a tenth of the ring's radius) is far outside that noise.
    QVERIFY2(shifted > 20.0 * sd, qPrintable(QString::number(shifted)));
}

IRL_TEST_CLASS("test_comparison", TestComparison)
#include "test_comparison.moc"
