// The pieces every comparison of a learned sampler rests on, against cases whose answer is known:
// the verdict on constructed rows (a clear win, a win inside the spread, a loss, one seed, a gap
// criterion judged by its size), and the toys' MMD² estimator, which is unbiased: on two independent sets
// of true samples it averages 0 within its own noise, and it grows well past that noise on a set
// shifted by two of a mode's standard deviations; rows pooled over training seeds span every
// pair of training and evaluation seed; the classic grid rescores its best screened rows, and the
// baseline is chosen among those only; and the IRL claim's choices (its start, its training, what
// validation keeps) are the same whatever the evaluation seeds and reference samples are.
#include "irl/engine/core/random.h"
#include "irl/engine/data/toy_mixtures.h"
#include "irl/engine/learning/irl/policy_bench.h"
#include "irl/engine/learning/irl/policy_claim.h"
#include "irl/engine/learning/irl/sampler_comparison.h"
#include "irl/engine/models/gaussian_mixture_denoiser.h"
#include "test_registry.h"

#include <QTemporaryDir>

#include <QtTest/QtTest>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace irl;

namespace {

// A row scored on three evaluation seeds.
nlohmann::json row(double mmd2, double spread, double gap = 0.0, double gap_spread = 0.0) {
    return {{"mmd2", mmd2}, {"mmd2_spread", spread}, {"log_density_gap", gap}, {"log_density_gap_spread", gap_spread}, {"seeds", 3}};
}

}  // namespace

class TestComparison : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void verdictHoldsOnlyPastTheLargerSpread();
    void toyMmdIsZeroOnTruthAndGrowsOnAShift();
    void pooledRowsSpanEveryPairOfSeeds();
    void theGridRescoresItsBestScreenedRows();
    void claimChoicesNeverSeeTheEvaluationData();
};

void TestComparison::verdictHoldsOnlyPastTheLargerSpread() {
    const Criterion mmd{"mmd2", false};
    // A clear win: the margin (0.002) is larger than both spreads.
    const Verdict win = verdict(row(0.001, 0.0002), row(0.003, 0.0005), mmd);
    QVERIFY(win.holds);
    QCOMPARE(win.margin, 0.003 - 0.001);
    QCOMPARE(win.spread, 0.0005);
    QCOMPARE(win.to_json()["holds"].get<bool>(), true);
    QCOMPARE(win.to_json()["classic"].get<double>(), 0.003);
    // A win inside the spread: better on average, but by less than the learned row's own spread.
    const Verdict inside = verdict(row(0.0028, 0.0005), row(0.003, 0.0002), mmd);
    QVERIFY(inside.margin > 0.0);
    QVERIFY(!inside.holds);
    // The larger spread decides, whichever row it belongs to.
    QVERIFY(!verdict(row(0.0028, 0.0), row(0.003, 0.0005), mmd).holds);
    // A loss.
    const Verdict loss = verdict(row(0.004, 0.0001), row(0.003, 0.0001), mmd);
    QVERIFY(loss.margin < 0.0);
    QVERIFY(!loss.holds);
    // One value on either side has no spread to beat: no claim, whatever the margin.
    nlohmann::json single = row(0.001, 0.0);
    single["seeds"] = 1;
    const Verdict unmeasured = verdict(single, row(0.003, 0.0), mmd);
    QCOMPARE(unmeasured.values, int64_t(1));
    QVERIFY(unmeasured.margin > 0.0);
    QVERIFY(!unmeasured.holds);
    QVERIFY(!verdict(row(0.001, 0.0), nlohmann::json{{"mmd2", 0.003}}, mmd).holds);
    // A gap is judged by its size: -0.1 beats +0.5, and +0.5 does not beat -0.1.
    const Criterion gap{"log_density_gap", true};
    QVERIFY(verdict(row(0, 0, -0.1, 0.05), row(0, 0, 0.5, 0.1), gap).holds);
    QVERIFY(!verdict(row(0, 0, 0.5, 0.1), row(0, 0, -0.1, 0.05), gap).holds);
    QCOMPARE(verdict(row(0, 0, -0.1, 0.05), row(0, 0, 0.5, 0.1), gap).learned, 0.1);
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

void TestComparison::pooledRowsSpanEveryPairOfSeeds() {
    // Two training seeds, each scored on three evaluation seeds: one row of six pairs.
    const nlohmann::json a = {{"per_seed", {{"mmd2", {1.0, 2.0, 3.0}}}}, {"nfe", 5.0}, {"evaluations", 30}, {"seeds", 3}};
    const nlohmann::json b = {{"per_seed", {{"mmd2", {4.0, 5.0, 9.0}}}}, {"nfe", 7.0}, {"evaluations", 40}, {"seeds", 3}};
    const nlohmann::json pooled = pool_rows({a, b});
    QCOMPARE(pooled["mmd2"].get<double>(), 4.0);
    QCOMPARE(pooled["mmd2_spread"].get<double>(), 8.0);
    QCOMPARE(pooled["seeds"].get<int>(), 6);
    QCOMPARE(pooled["evaluations"].get<int>(), 70);
    QCOMPARE(pooled["nfe"].get<double>(), 6.0);
    // A pooled row is judged by the same verdict: its spread over all pairs counts.
    QVERIFY(!verdict(pooled, row(10.0, 0.5), {"mmd2", false}).holds);
}

void TestComparison::theGridRescoresItsBestScreenedRows() {
    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"), "toy:ring8");
    at::Generator g = make_generator(5);
    const Testbed test = toy_testbed(denoiser, denoiser.mixture(), denoiser.mixture().sample(800, g), {11, 12});
    const nlohmann::json rows = classic_grid(test, 5, {Solver::Euler, Solver::DpmSolver2M}, {200, 3});
    QCOMPARE(rows.size(), size_t(40));
    std::vector<double> screened_mmd;
    std::vector<double> rescored_screening_mmd;
    for (const nlohmann::json& r : rows) {
        QCOMPARE(r["screening_count"].get<int>(), 200);
        if (r["rescored"].get<bool>()) {
            QCOMPARE(r["seeds"].get<int>(), 2);  // on the whole testbed
            rescored_screening_mmd.push_back(r["screening_mmd2"].get<double>());
            screened_mmd.push_back(r["screening_mmd2"].get<double>());
        } else {
            QCOMPARE(r["seeds"].get<int>(), 1);
            screened_mmd.push_back(r["mmd2"].get<double>());
        }
    }
    // Three by MMD^2 and three by the log-density gap, which may coincide.
    QVERIFY(rescored_screening_mmd.size() >= 3 && rescored_screening_mmd.size() <= 6);
    std::sort(screened_mmd.begin(), screened_mmd.end());
    for (int k = 0; k < 3; ++k)
        QVERIFY2(std::find(rescored_screening_mmd.begin(), rescored_screening_mmd.end(), screened_mmd[static_cast<size_t>(k)]) !=
                     rescored_screening_mmd.end(),
                 "the three best screened rows by MMD^2 must be rescored");
    // A repeated seed would count one measurement twice in a pooled spread: refused up front.
    PolicyBenchPlan plan;
    plan.seeds = {0, 0};
    plan.divergences = {DivergenceSpec{}};
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, run_policy_bench(test, test, plan));
    plan.seeds = {0};
    Testbed repeated = test;
    repeated.seeds = {11, 11};
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, run_policy_bench(repeated, test, plan));
    // The baseline is chosen among the rescored rows only, by their score on the whole testbed.
    const nlohmann::json best = best_row(rows, {"mmd2", false});
    QVERIFY(best["rescored"].get<bool>());
    for (const nlohmann::json& r : rows)
        if (r["rescored"].get<bool>()) QVERIFY(best["mmd2"].get<double>() <= r["mmd2"].get<double>());
}

// Two claims that differ only in what they are scored on (evaluation seeds and reference
// samples) must start from the same schedule and constant, train the same policies and keep the
// same validated iteration; a validation seed among the evaluation seeds is refused; searched across
// solvers, the start is the best candidate on the tuning data.
void TestComparison::claimChoicesNeverSeeTheEvaluationData() {
    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"), "toy:ring8");
    auto truth = [&](uint64_t seed, int64_t n) {
        at::Generator g = make_generator(seed);
        return denoiser.mixture().sample(n, g);
    };
    const Testbed tuning = toy_testbed(denoiser, denoiser.mixture(), truth(999, 300), {31337});
    PolicyClaimPlan plan;
    plan.training.irl.sampler.solver = Solver::Gddim;
    plan.training.irl.batch = 32;
    plan.training.irl.policy_lr = 0.5;
    plan.training.irl.conditional = false;
    plan.training.iterations = 4;
    plan.training.validate_every = 2;
    plan.training.actions.components = {ActionComponent{ActionKind::Stochasticity, {0.0, 0.5, 1.0}}};
    plan.nfe = 4;
    plan.seeds = {0, 1};
    plan.expert = [&](uint64_t seed) { return truth(seed + 1, 2000).to(torch::kFloat32); };
    plan.baselines = false;
    auto claim = [&](uint64_t truth_seed, std::vector<uint64_t> seeds) {
        const Testbed test = toy_testbed(denoiser, denoiser.mixture(), truth(truth_seed, 300), std::move(seeds));
        return run_policy_claim(test, tuning, plan);
    };
    const PolicyClaimResult a = claim(777, {1000003, 1000004});
    const PolicyClaimResult b = claim(4242, {55, 56, 57});
    QCOMPARE(a.start["sigmas"], b.start["sigmas"]);
    QCOMPARE(a.start["actions"], b.start["actions"]);
    QCOMPARE(a.start["search_evaluations"], b.start["search_evaluations"]);
    QCOMPARE(a.learned.size(), size_t(2));
    for (size_t k = 0; k < a.learned.size(); ++k) {
        QCOMPARE(a.learned[k]["validation"], b.learned[k]["validation"]);
        QCOMPARE(a.learned[k]["training_evaluations"], b.learned[k]["training_evaluations"]);
        QCOMPARE(a.learned[k]["tuning_evaluations"], b.learned[k]["tuning_evaluations"]);
    }
    // The scores themselves do differ: the two runs really were scored on other data.
    QVERIFY(a.start["mmd2"] != b.start["mmd2"]);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, claim(777, {31337, 1000004}));

    // Across solvers: the start is the candidate that scores best on the tuning data, and every
    // candidate's search counts in its cost.
    plan.seeds = {0};
    plan.training.iterations = 1;
    const int64_t alone = a.start["search_evaluations"].get<int64_t>();
    plan.candidates = {{Solver::Gddim, plan.training.actions}, {Solver::Heun, parse_action_space("churn=0,0.3")}};
    const PolicyClaimResult across = claim(777, {1000003, 1000004});
    QVERIFY(across.start["search_evaluations"].get<int64_t>() > alone);
    plan.candidates = {{Solver::Heun, parse_action_space("churn=0,0.3")}};
    const PolicyClaimResult heun = claim(777, {1000003, 1000004});
    const double gddim_score = a.start["tuning_score"].get<double>(), heun_score = heun.start["tuning_score"].get<double>();
    QCOMPARE(across.start["solver"].get<std::string>(), std::string(heun_score < gddim_score ? "heun" : "gddim"));
    QCOMPARE(across.start["tuning_score"].get<double>(), std::min(heun_score, gddim_score));
    // Restarts: two policies for the seed, the better validated kept, both paid for.
    plan.restarts = 2;
    const PolicyClaimResult twice = claim(777, {1000003, 1000004});
    QCOMPARE(twice.learned[0]["restarts"].get<int>(), 2);
    QCOMPARE(twice.learned[0]["tuning_evaluations"].get<int64_t>() - twice.start["search_evaluations"].get<int64_t>(),
             2 * (heun.learned[0]["tuning_evaluations"].get<int64_t>() - heun.start["search_evaluations"].get<int64_t>()));

    // With a checkpoint folder the baselines are kept: a rerun reads the classic grid and the tuned
    // schedule back (the same rows), and another NFE in that folder is refused.
    QTemporaryDir dir;
    plan.restarts = 1;
    plan.baselines = true;
    plan.screening.count = 100;
    plan.tuning_grid = 8;
    plan.checkpoint_dir = dir.filePath("claim").toStdString();
    const PolicyClaimResult first = claim(777, {1000003, 1000004});
    QCOMPARE(first.reused_rows, 0);
    const PolicyClaimResult again = claim(777, {1000003, 1000004});
    QCOMPARE(again.reused_rows, 2);
    QCOMPARE(again.classic, first.classic);
    QCOMPARE(again.tuned, first.tuned);
    QCOMPARE(again.verdict, first.verdict);
    plan.nfe = 5;
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, claim(777, {1000003, 1000004}));
}

IRL_TEST_CLASS("test_comparison", TestComparison)
#include "test_comparison.moc"
