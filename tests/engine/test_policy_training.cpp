// The schedule features and the one training driver, against what can be counted or computed
// exactly on a toy: a budget is spent to the evaluation under skip, start and renoise; a choice a
// state rules out is never taken; the tuner improves a bad schedule on fresh data; EDM's churn
// rule gives its closed form; and PolicyTraining keeps what was learned through stop, cancel and
// resume, ending where an uninterrupted run ends, and stops on a discriminator gone NaN with the
// last good checkpoint kept. A warm start that never learns samples as the classic sampler it
// starts from, and validation keeps the best policy it saw, through a stop and a resume.
#include "irl/engine/core/random.h"
#include "irl/engine/data/toy_mixtures.h"
#include "irl/engine/learning/irl/policy_file.h"
#include "irl/engine/learning/irl/policy_training.h"
#include "irl/engine/learning/irl/sampler_comparison.h"
#include "irl/engine/learning/irl/training_settings.h"
#include "irl/engine/models/gaussian_mixture_denoiser.h"
#include "irl/engine/sampling/schedule.h"
#include "test_registry.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <optional>
#include <fstream>

using namespace irl;

namespace {

GaussianMixtureDenoiser ring() { return GaussianMixtureDenoiser(make_toy_mixture("ring8"), "toy:ring8"); }

ActionComponent component(ActionKind kind, std::vector<double> choices) {
    ActionComponent c;
    c.kind = kind;
    c.choices = std::move(choices);
    return c;
}

// A fixed choice of every component on a fine 64-level schedule, `count` samples, its path kept.
SampleResult fixed_rollout(Denoiser& denoiser, Solver solver, int64_t budget, const ActionSpace& space, std::vector<int64_t> choice,
                           int64_t count = 8) {
    SamplerSettings settings;
    settings.solver = solver;
    settings.sigmas = karras_schedule(64);
    settings.budget = budget;
    FixedPolicy policy(space, 64, std::move(choice), budget);
    SampleRequest request;
    request.count = count;
    request.seed = 5;
    request.dtype = torch::kFloat64;
    request.record_path = true;
    return rollout_policy(denoiser, policy, settings, request, 0.0, false).result;
}

PolicyTrainingOptions small_training(const std::string& dir) {
    PolicyTrainingOptions o;
    o.irl.sampler.solver = Solver::Euler;
    o.irl.sampler.sigmas = karras_schedule(5);
    o.irl.batch = 32;
    o.irl.conditional = false;
    o.irl.seed = 3;
    o.actions.components.push_back(component(ActionKind::Churn, {0.0, 0.5}));
    o.iterations = 5;
    o.checkpoint = dir + "/run.ckpt";
    o.policy_file = dir + "/run-policy.pt";
    return o;
}

torch::Tensor expert_of(const GaussianMixtureDenoiser& denoiser) {
    at::Generator g = make_generator(11);
    return denoiser.mixture().sample(2000, g).to(torch::kFloat32);
}

std::vector<torch::Tensor> parameters_of(const PolicyTraining& training) {
    std::vector<torch::Tensor> out;
    for (const torch::Tensor& p : training.policy()->parameters()) out.push_back(p.detach().clone());
    return out;
}

bool same_parameters(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (!torch::equal(a[i], b[i])) return false;
    return true;
}

}  // namespace

class TestPolicyTraining : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void budgetIsSpentExactly();
    void startAndSkipChooseTheSchedule();
    void renoiseStaysWithinTheBudget();
    void ruledOutChoicesAreNeverTaken();
    void tunerImprovesABadScheduleOnFreshData();
    void edmChurnRuleHasItsClosedForm();
    void parsersNameWhatTheyCannotRead();
    void stopThenResumeEndsWhereAStraightRunEnds();
    void cancelKeepsACheckpointAndThePartialPolicy();
    void nonFiniteRewardsStopTrainingAndKeepTheLastCheckpoint();
    void warmStartWithZeroRateReproducesItsStart();
    void validationKeepsTheBestPolicySeen();
};

void TestPolicyTraining::budgetIsSpentExactly() {
    GaussianMixtureDenoiser denoiser = ring();
    ActionSpace space;
    space.components.push_back(component(ActionKind::Skip, {1.0}));
    // Euler: one evaluation a step; the step that leaves one evaluation goes straight to sigma 0.
    for (int64_t budget : {1, 2, 5, 9}) {
        const SampleResult r = fixed_rollout(denoiser, Solver::Euler, budget, space, {0});
        QVERIFY(torch::all(r.evaluations == budget).item<bool>());
        const std::vector<double> taken = schedule_taken(r.path, 0);
        QCOMPARE(static_cast<int64_t>(taken.size()), budget + 1);  // the steps, then 0
        QCOMPARE(taken.back(), 0.0);
    }
    // Heun: 2 a step, 1 on the step to 0. Budget 7 = 2 + 2 + 2 + 1; budget 6 cannot pay a fourth
    // corrected step and a last one, so it ends at 5.
    QVERIFY(torch::all(fixed_rollout(denoiser, Solver::Heun, 7, space, {0}).evaluations == 7).item<bool>());
    QVERIFY(torch::all(fixed_rollout(denoiser, Solver::Heun, 6, space, {0}).evaluations == 5).item<bool>());
    // Without a budget the 64 levels take 64 Euler steps; a budget below 1 is none too.
    QVERIFY(torch::all(fixed_rollout(denoiser, Solver::Euler, kNoBudget, space, {0}).evaluations == 64).item<bool>());
    QVERIFY(torch::all(fixed_rollout(denoiser, Solver::Euler, 0, space, {0}).evaluations == 64).item<bool>());
    // "No budget" has one value, in the sampler and in a policy, also after a policy file.
    QCOMPARE(SamplerSettings{}.budget, kNoBudget);
    TablePolicy unbudgeted(space, 8, 0);
    QCOMPARE(unbudgeted.budget(), kNoBudget);
    QCOMPARE(TablePolicy(space, 8, 5).budget(), int64_t(5));
    QTemporaryDir dir;
    const std::string path = dir.filePath("policy.pt").toStdString();
    save_policy(unbudgeted, PolicySetup::of(denoiser, SamplerSettings{Solver::Euler, karras_schedule(8)}), path, "{}");
    QCOMPARE(load_policy(path).policy->budget(), kNoBudget);
    // A setup asked with a budget of 0 is the setup without one.
    SamplerSettings zero{Solver::Euler, karras_schedule(8)};
    zero.budget = 0;
    QVERIFY(PolicySetup::of(denoiser, zero).differences(PolicySetup::of(denoiser, SamplerSettings{Solver::Euler, karras_schedule(8)})).empty());
}

void TestPolicyTraining::startAndSkipChooseTheSchedule() {
    GaussianMixtureDenoiser denoiser = ring();
    ActionSpace space;
    space.components.push_back(component(ActionKind::Start, {80.0, 10.0}));
    space.components.push_back(component(ActionKind::Skip, {1.0, 8.0}));
    const std::vector<double> grid = karras_schedule(64);
    // Start at the first level at or below 10, then 8 levels at a time: no evaluation for the start.
    const SampleResult r = fixed_rollout(denoiser, Solver::Euler, 5, space, {1, 1});
    const std::vector<double> taken = schedule_taken(r.path, 0);
    size_t start = 0;
    while (grid[start] > 10.0) ++start;
    QCOMPARE(taken.front(), grid[start]);
    for (size_t i = 1; i + 1 < taken.size(); ++i) QCOMPARE(taken[i], grid[start + 8 * i]);
    QCOMPARE(static_cast<int64_t>(taken.size()), int64_t(6));
    QVERIFY(torch::all(r.evaluations == 5).item<bool>());
    // A skip that would pass sigma = 0 lands on it: 64 levels by 8 are 8 steps without a budget.
    const SampleResult unbounded = fixed_rollout(denoiser, Solver::Euler, -1, space, {0, 1});
    QVERIFY(torch::all(unbounded.evaluations == 8).item<bool>());
}

void TestPolicyTraining::renoiseStaysWithinTheBudget() {
    GaussianMixtureDenoiser denoiser = ring();
    ActionSpace space;
    // Start inside the range (nine one-level steps from sigma 80 would never reach it).
    space.components.push_back(component(ActionKind::Start, {3.0}));
    ActionComponent renoise = component(ActionKind::Renoise, {2.0});
    renoise.sigma_min = 0.5;  // two levels back up at every step between sigma 0.5 and 5
    renoise.sigma_max = 5.0;
    space.components.push_back(renoise);
    // Renoising at every step in the range climbs back up; the budget ends the trajectory.
    const SampleResult r = fixed_rollout(denoiser, Solver::Euler, 9, space, {0, 0});
    QVERIFY(torch::all(r.evaluations == 9).item<bool>());
    const std::vector<double> taken = schedule_taken(r.path, 0);
    QCOMPARE(static_cast<int64_t>(taken.size()), int64_t(10));
    bool went_up = false;
    for (size_t i = 1; i + 1 < taken.size(); ++i) went_up = went_up || taken[i] > taken[i - 1];
    QVERIFY2(went_up, "a renoise must jump back up the schedule");
}

void TestPolicyTraining::ruledOutChoicesAreNeverTaken() {
    // Conditional ring, Euler, budget 4: guidance 3 costs 2 an evaluation and needs one left for the
    // last step. A table policy that prefers guidance 3 by far is sampled at temperature 1.
    GaussianMixtureDenoiser denoiser = ring();
    ActionSpace space;
    space.components.push_back(component(ActionKind::Guidance, {1.0, 3.0}));
    SamplerSettings settings;
    settings.solver = Solver::Euler;
    settings.sigmas = karras_schedule(6);
    settings.budget = 4;
    TablePolicy policy(space, 6, settings.budget);
    {
        torch::NoGradGuard no_grad;
        for (torch::Tensor& p : policy.parameters()) p.select(1, 1).fill_(20.0);
    }
    SampleRequest request;
    request.count = 64;
    request.labels = classes_in_turn(64, denoiser.num_classes());
    request.seed = 9;
    request.dtype = torch::kFloat64;
    const Rollout rollout = rollout_policy(denoiser, policy, settings, request, 1.0, true);
    QVERIFY(torch::all(rollout.result.evaluations <= 4).item<bool>());
    int64_t guided = 0, ruled_out = 0;
    for (const RolloutStep& step : rollout.steps) {
        const torch::Tensor allowed = step.masks.allowed[0];
        const torch::Tensor chosen = step.choice[0];
        const torch::Tensor taken_allowed = allowed.gather(1, chosen.unsqueeze(1)).squeeze(1);
        QVERIFY2(torch::all(taken_allowed).item<bool>(), "a ruled-out choice was taken");
        guided += (chosen == 1).sum().item<int64_t>();
        ruled_out += allowed.select(1, 1).logical_not().sum().item<int64_t>();
    }
    // Positive controls: the preferred choice is taken where allowed, and the budget rules it out somewhere.
    QVERIFY(guided > 0);
    QVERIFY(ruled_out > 0);

    // The log-probability of a masked draw is that of the choice among the allowed ones only:
    // logits (0, 20) with the second ruled out give the first probability 1 (log 0), not e^-20.
    const std::vector<torch::Tensor> logits{torch::tensor({{0.0, 20.0}, {0.0, 20.0}}, torch::kFloat64)};
    ActionMasks masks;
    masks.allowed = {torch::tensor({{true, false}, {true, true}})};
    masks.active = {torch::tensor({true, true})};
    at::Generator g = make_generator(1);
    for (int draw = 0; draw < 20; ++draw) {
        const ActionSample a = sample_actions(logits, 1.0, g, masks);
        QCOMPARE(a.choice[0][0].item<int64_t>(), int64_t(0));
        const torch::Tensor expected = torch::log_softmax(masked_logits(logits, masks)[0], 1).gather(1, a.choice[0].unsqueeze(1)).squeeze(1);
        QVERIFY(torch::allclose(a.log_prob.to(torch::kFloat64), expected));
        QVERIFY(torch::allclose(action_log_prob(logits, a.choice, masks).to(torch::kFloat64), expected));
        QCOMPARE(a.log_prob[0].item<double>(), 0.0);
    }
}

void TestPolicyTraining::tunerImprovesABadScheduleOnFreshData() {
    GaussianMixtureDenoiser denoiser = ring();
    auto truth = [&](uint64_t seed) {
        at::Generator g = make_generator(seed);
        return denoiser.mixture().sample(1000, g);
    };
    const Testbed tuning = toy_testbed(denoiser, denoiser.mixture(), truth(1), {2});
    const Testbed fresh = toy_testbed(denoiser, denoiser.mixture(), truth(3), {4, 5});
    // Euler at 4 NFE from a coarse grid: the search starts from its Karras sub-schedule.
    const ScheduleSearchResult found = tune_schedule(tuning, Solver::Euler, 4, 32, 60000);
    QVERIFY(found.trials > 1);
    QVERIFY(found.evaluations <= 60000 + 4 * 1000);
    QVERIFY2(found.score < found.start_score, "the search must improve on its start");
    QCOMPARE(static_cast<int64_t>(found.sigmas.size()), int64_t(5));
    SamplerSettings start, tuned;
    start.solver = tuned.solver = Solver::Euler;
    start.sigmas = found.start;
    tuned.sigmas = found.sigmas;
    const double before = score_sampler(fresh, start)["mmd2"].get<double>();
    const double after = score_sampler(fresh, tuned)["mmd2"].get<double>();
    QVERIFY2(after < before, qPrintable(QString("fresh MMD^2 %1 tuned, %2 at the start").arg(after).arg(before)));
}

void TestPolicyTraining::edmChurnRuleHasItsClosedForm() {
    // Karras et al. 2022, Algorithm 2: gamma = min(S_churn / N, sqrt(2) - 1) inside [S_tmin, S_tmax].
    EdmChurnRule rule;
    rule.s_churn = 1.0;
    rule.s_tmin = 0.05;
    rule.s_tmax = 50.0;
    QCOMPARE(edm_churn_gamma(rule, 1.0, 10), 0.1);
    QCOMPARE(edm_churn_gamma(rule, 0.01, 10), 0.0);
    QCOMPARE(edm_churn_gamma(rule, 80.0, 10), 0.0);
    rule.s_churn = 40.0;
    QCOMPARE(edm_churn_gamma(rule, 1.0, 10), std::sqrt(2.0) - 1.0);
    rule.s_churn = 0.0;
    QCOMPARE(edm_churn_gamma(rule, 1.0, 10), 0.0);
}

void TestPolicyTraining::parsersNameWhatTheyCannotRead() {
    const ActionSpace space = parse_action_space("guidance=1,2;churn=0,0.1@0.5:10");
    QCOMPARE(space.size(), int64_t(2));
    QCOMPARE(space.components[1].sigma_min, 0.5);
    QCOMPARE(space.components[1].sigma_max, 10.0);
    auto message = [](auto&& call) {
        try {
            call();
        } catch (const std::invalid_argument& e) {
            return QString(e.what());
        }
        return QString();
    };
    QVERIFY(message([] { parse_action_space("guidance=1,x"); }).contains("\"x\""));
    QVERIFY(message([] { parse_action_space("churn"); }).contains("KIND=V1,V2"));
    QVERIFY(!message([] { parse_action_space("speed=1"); }).isEmpty());
    const std::vector<DivergenceSpec> d = parse_divergences("jensen-shannon,precision-recall:0.2");
    QCOMPARE(d.size(), size_t(2));
    QCOMPARE(d[1].pr_lambda, 0.2);
    QCOMPARE(QString::fromStdString(divergence_label(d[1])), QString("precision-recall:0.20"));
    QVERIFY(message([] { parse_divergences("precision-recall:abc"); }).contains("\"abc\""));
    QVERIFY(message([] { parse_divergences("precision-recall:-1"); }).contains("lambda"));
    QVERIFY(!message([] { make_policy("forest", ActionSpace{{component(ActionKind::Churn, {0.0})}}, 4, ring(), -1, 0); }).isEmpty());
    // The one reader of training settings: what is not given keeps its default; bad text, a
    // number out of range and an unknown name each get a sentence naming the setting as the
    // front end calls it.
    auto settings_of = [](std::map<std::string, std::string> given) {
        UserSettings user;
        user.text = [given](const std::string& name) -> std::optional<std::string> {
            const auto it = given.find(name);
            return it == given.end() ? std::nullopt : std::optional<std::string>(it->second);
        };
        user.called = [](const std::string& name) { return "--" + name; };
        return user;
    };
    PolicyTrainingOptions read;
    read_policy_training_settings(settings_of({{"batch", "64"}, {"policy-lr", "0.25"}, {"divergence", "precision-recall"},
                                               {"pr-lambda", "0.2"}, {"policy", "network"}, {"seed", "9"}}),
                                  read);
    QCOMPARE(read.irl.batch, int64_t(64));
    QCOMPARE(read.irl.policy_lr, 0.25);
    QCOMPARE(read.irl.divergence.kind, Divergence::PrecisionRecall);
    QCOMPARE(read.irl.divergence.pr_lambda, 0.2);
    QCOMPARE(read.policy, std::string("network"));
    QCOMPARE(read.irl.seed, uint64_t(9));
    QCOMPARE(read.iterations, PolicyTrainingOptions{}.iterations);
    QCOMPARE(read.irl.entropy_bonus, PolicyTrainingOptions{}.irl.entropy_bonus);
    auto refusal = [&](std::map<std::string, std::string> given) {
        return message([&] {
            PolicyTrainingOptions o;
            read_policy_training_settings(settings_of(given), o);
        });
    };
    QCOMPARE(refusal({{"batch", "abc"}}), QString("--batch must be a whole number from 2 to 100000, not \"abc\""));
    QVERIFY(refusal({{"batch", "2.5"}}).startsWith("--batch must be a whole number"));
    QVERIFY(refusal({{"iterations", "0"}}).startsWith("--iterations must be a whole number from 1 to 1000000"));
    QVERIFY(refusal({{"entropy", "-1"}}).startsWith("--entropy must be a number from 0"));
    QVERIFY(refusal({{"policy", "forest"}}).contains("--policy"));
    QVERIFY(refusal({{"divergence", "nope"}}).startsWith("--divergence"));
    QVERIFY(refusal({{"seed", ""}}).startsWith("--seed"));
    QCOMPARE(steps_for_evaluations(Solver::Heun, 11), 6);
    QCOMPARE(steps_for_evaluations(Solver::Heun, 10), 5);
    QCOMPARE(steps_for_evaluations(Solver::DpmSolver2M, 5), 5);
}

void TestPolicyTraining::stopThenResumeEndsWhereAStraightRunEnds() {
    QTemporaryDir dir;
    GaussianMixtureDenoiser denoiser = ring();
    const torch::Tensor expert = expert_of(denoiser);

    PolicyTrainingOptions straight_options = small_training(dir.path().toStdString() + "/straight");
    std::filesystem::create_directories(dir.path().toStdString() + "/straight");
    PolicyTraining straight(denoiser, expert, straight_options);
    const PolicyTrainingOutcome done = straight.run();
    QVERIFY(!done.stopped);
    QCOMPARE(straight.trainer().iterations(), int64_t(5));

    PolicyTrainingOptions options = small_training(dir.path().toStdString());
    options.resume = true;
    PolicyTraining first(denoiser, expert, options);
    QVERIFY(!first.resumed());
    const std::vector<torch::Tensor> initial = parameters_of(first);
    int seen = 0;
    PolicyTrainingControl control;
    control.stop = [&] { return seen >= 2; };
    control.on_iteration = [&](const PolicyTrainingProgress& p) {
        ++seen;
        QCOMPARE(p.iterations, int64_t(5));
        QVERIFY(p.training_evaluations > 0);
    };
    const PolicyTrainingOutcome stopped = first.run(control);
    QVERIFY(stopped.stopped);
    QCOMPARE(first.trainer().iterations(), int64_t(2));
    QVERIFY(std::filesystem::exists(options.checkpoint));
    QVERIFY2(!same_parameters(initial, parameters_of(first)), "two iterations must move the policy");

    PolicyTraining second(denoiser, expert, options);
    QVERIFY(second.resumed());
    QCOMPARE(second.trainer().iterations(), int64_t(2));
    second.run();
    QCOMPARE(second.trainer().iterations(), int64_t(5));
    QCOMPARE(second.trainer().total_evaluations(), straight.trainer().total_evaluations());
    QVERIFY2(same_parameters(parameters_of(second), parameters_of(straight)), "stop + resume must end where a straight run ends");
    const LoadedPolicy saved = load_policy(options.policy_file);
    QCOMPARE(nlohmann::json::parse(saved.facts)["partial"].get<bool>(), false);
    QCOMPARE(nlohmann::json::parse(saved.facts)["iterations"].get<int64_t>(), int64_t(5));
}

void TestPolicyTraining::cancelKeepsACheckpointAndThePartialPolicy() {
    QTemporaryDir dir;
    GaussianMixtureDenoiser denoiser = ring();
    const torch::Tensor expert = expert_of(denoiser);
    PolicyTrainingOptions options = small_training(dir.path().toStdString());
    PolicyTraining training(denoiser, expert, options);
    CancelToken cancel;
    PolicyTrainingControl control;
    control.cancel = &cancel;
    control.on_iteration = [&](const PolicyTrainingProgress& p) {
        if (p.iteration.iteration == 3) cancel.cancel();
    };
    QVERIFY_THROWS_EXCEPTION(Cancelled, training.run(control));
    QVERIFY(std::filesystem::exists(options.checkpoint));
    const LoadedPolicy partial = load_policy(options.policy_file);
    const nlohmann::json facts = nlohmann::json::parse(partial.facts);
    QCOMPARE(facts["partial"].get<bool>(), true);
    QCOMPARE(facts["iterations"].get<int64_t>(), int64_t(3));
    // The checkpoint resumes at the iteration the cancel kept.
    options.resume = true;
    PolicyTraining again(denoiser, expert, options);
    QVERIFY(again.resumed());
    QCOMPARE(again.trainer().iterations(), int64_t(3));
    // The same checkpoint with another solver is refused by a sentence naming the file.
    PolicyTrainingOptions other = options;
    other.irl.sampler.solver = Solver::Heun;
    try {
        PolicyTraining refused(denoiser, expert, other);
        QFAIL("a checkpoint of another solver was resumed");
    } catch (const std::runtime_error& e) {
        QVERIFY2(QString::fromStdString(e.what()).contains(QString::fromStdString(options.checkpoint)), e.what());
    }
    // A file that cannot be written (its folder would have to be inside a plain file) fails
    // before any training.
    const std::string plain_file = dir.path().toStdString() + "/a-file";
    { std::ofstream(plain_file) << "not a folder"; }
    PolicyTrainingOptions bad = small_training(plain_file);
    QVERIFY_THROWS_EXCEPTION(std::exception, PolicyTraining(denoiser, expert, bad));
}

// The discriminator's weights turn NaN after the second iteration (as a diverging run's would):
// the third stops training with a sentence, and the checkpoint on disk is still the second's,
// finite, and resumes.
void TestPolicyTraining::nonFiniteRewardsStopTrainingAndKeepTheLastCheckpoint() {
    QTemporaryDir dir;
    GaussianMixtureDenoiser denoiser = ring();
    const torch::Tensor expert = expert_of(denoiser);
    PolicyTrainingOptions options = small_training(dir.path().toStdString());
    options.checkpoint_every = 1;
    PolicyTraining training(denoiser, expert, options);
    PolicyTrainingControl control;
    control.on_iteration = [&](const PolicyTrainingProgress& p) {
        if (p.iteration.iteration != 2) return;
        torch::NoGradGuard no_grad;
        for (torch::Tensor& w : training.trainer().discriminator()->parameters()) w.fill_(std::nan(""));
    };
    try {
        training.run(control);
        QFAIL("training went on with a NaN discriminator");
    } catch (const std::runtime_error& e) {
        QVERIFY2(QString(e.what()).contains("not finite") && QString(e.what()).contains("last checkpoint"), e.what());
    }
    options.resume = true;
    PolicyTraining again(denoiser, expert, options);
    QVERIFY(again.resumed());
    QCOMPARE(again.trainer().iterations(), int64_t(2));
    for (const torch::Tensor& w : again.trainer().discriminator()->parameters()) QVERIFY(torch::isfinite(w).all().item<bool>());
    again.run();
    QCOMPARE(again.trainer().iterations(), int64_t(5));
}

// Learning rate 0: whatever the discriminator does, the policy stays at its start, so greedy
// sampling must give the classic sampler's samples bit for bit (churn 0 is the second choice, so
// no tie-break can explain it), and the start has the probability asked for at every level.
void TestPolicyTraining::warmStartWithZeroRateReproducesItsStart() {
    QTemporaryDir dir;
    GaussianMixtureDenoiser denoiser = ring();
    const torch::Tensor expert = expert_of(denoiser);
    for (const std::string kind : {"table", "smooth", "state", "network"}) {
        PolicyTrainingOptions options = small_training(dir.path().toStdString());
        options.checkpoint.clear();
        options.policy_file.clear();
        options.policy = kind;
        options.irl.sampler.solver = Solver::Heun;
        options.irl.sampler.sigmas = karras_schedule(4, 0.002, 2.0, 3.0);
        options.actions.components = {component(ActionKind::Churn, {0.3, 0.0, 0.6})};
        options.irl.policy_lr = 0.0;
        options.start_probability = 0.7;
        options.iterations = 3;
        PolicyTraining training(denoiser, expert, options);
        const std::vector<torch::Tensor> initial = parameters_of(training);
        const PolicyTrainingOutcome outcome = training.run();
        QVERIFY2(same_parameters(initial, parameters_of(training)), kind.c_str());
        const torch::Tensor p = outcome.last.action_probabilities.at(0).to(torch::kFloat64);
        for (int64_t level = 0; level < p.size(0); ++level)
            if (p[level].sum().item<double>() > 0) QVERIFY2(std::abs(p[level][1].item<double>() - 0.7) < 1e-5, kind.c_str());
        SampleRequest request;
        request.count = 64;
        request.seed = 77;
        const SampleResult classic = sample(denoiser, options.irl.sampler, request);
        QVERIFY2(torch::equal(classic.samples, training.trainer().sample_greedy(64, 77).samples), kind.c_str());
        // The policy file gives back the same logits.
        const std::string file = dir.path().toStdString() + "/" + kind + "-policy.pt";
        save_policy(*training.policy(), training.setup(), file, "{}");
        const LoadedPolicy loaded = load_policy(file);
        QCOMPARE(loaded.policy->kind(), kind);
        PolicyInput in;
        in.sigma = torch::tensor({2.0, 0.5, 0.01}, torch::kFloat64);
        in.level = torch::tensor({0, 1, 3}, torch::kInt64);
        in.x = torch::randn({3, 2}, torch::kFloat64);
        in.denoised = torch::zeros({3, 2}, torch::kFloat64);
        in.labels = torch::full({3}, int64_t(-1));
        QVERIFY2(torch::equal(training.policy()->logits(in).at(0), loaded.policy->logits(in).at(0)), kind.c_str());
    }
    // A probability that would not make the start the most likely gives it twice each other's;
    // a probability outside (0, 1) or a choice that does not exist is refused.
    ActionSpace space;
    space.components = {component(ActionKind::Churn, {0.0, 0.5, 1.0})};
    TablePolicy table(space, 4);
    table.warm_start({2}, 0.3);
    PolicyInput one;
    one.level = torch::zeros({1}, torch::kInt64);
    const torch::Tensor start_logits = table.logits(one).at(0)[0];
    QVERIFY(std::abs((start_logits[2] - start_logits[0]).item<double>() - std::log(2.0)) < 1e-6);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, table.warm_start({0}, 1.0));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, table.warm_start({3}, 0.6));
    FixedPolicy fixed(space, 4, {0});
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, fixed.warm_start({0}, 0.6));
    QCOMPARE(start_choice(space, StepControl{}), std::vector<int64_t>{0});
    // A start of 0 is the schedule's first level: the highest start choice, not the nearest number.
    ActionSpace starts;
    starts.components = {component(ActionKind::Start, {5.0, 80.0, 20.0})};
    QCOMPARE(start_choice(starts, StepControl{}), std::vector<int64_t>{1});
}

// Validation by MMD^2 against held-out true samples: the policy kept is the one of the lowest
// score seen (the start's included), the policy file holds it, and a run stopped and resumed
// keeps the same record and ends with the same policy as a straight run.
void TestPolicyTraining::validationKeepsTheBestPolicySeen() {
    QTemporaryDir dir;
    GaussianMixtureDenoiser denoiser = ring();
    const torch::Tensor expert = expert_of(denoiser);
    at::Generator g = make_generator(4321);
    const torch::Tensor held_out = denoiser.mixture().sample(500, g);
    auto options_in = [&](const std::string& sub) {
        std::filesystem::create_directories(dir.path().toStdString() + sub);
        PolicyTrainingOptions o = small_training(dir.path().toStdString() + sub);
        o.iterations = 6;
        o.irl.policy_lr = 0.5;
        o.validate_every = 2;
        o.validation_count = 200;
        o.validation = [held_out](const SampleResult& r) { return toy_mmd_squared(r.samples, held_out); };
        return o;
    };
    const PolicyTrainingOptions options = options_in("/straight");
    PolicyTraining straight(denoiser, expert, options);
    std::map<int64_t, std::vector<torch::Tensor>> seen{{0, parameters_of(straight)}};
    std::map<int64_t, double> scores;
    PolicyTrainingControl control;
    control.on_iteration = [&](const PolicyTrainingProgress& p) {
        if (p.validation.last_iteration != p.iteration.iteration) return;
        seen[p.iteration.iteration] = parameters_of(straight);
        scores[p.iteration.iteration] = p.validation.last;
        if (scores.size() == 1) scores[0] = p.validation.start;
    };
    const PolicyTrainingOutcome done = straight.run(control);
    const PolicyValidation& v = done.validation;
    QVERIFY(v.enabled);
    QCOMPARE(static_cast<int64_t>(scores.size()), int64_t(4));  // the start, 2, 4 and 6
    for (const auto& [iteration, score] : scores) QVERIFY(v.best <= score);
    QCOMPARE(scores.at(v.best_iteration), v.best);
    // With these seeds the best is iteration 2 (MMD^2 0.033, 0.025, 0.051, 0.033 at 0, 2, 4, 6),
    // so keeping it is what the checks below see, not the last policy.
    QVERIFY(v.best_iteration != 6);
    QCOMPARE(v.evaluations, int64_t(4 * 200 * 5));  // four validations of 200 samples, 5 Euler steps
    QCOMPARE(straight.total_evaluations(), straight.trainer().total_evaluations() + v.evaluations);
    QVERIFY2(same_parameters(parameters_of(straight), seen.at(v.best_iteration)), "the run must end on the best policy seen");
    const LoadedPolicy saved = load_policy(options.policy_file);
    std::vector<torch::Tensor> file_parameters;
    for (const torch::Tensor& t : saved.policy->parameters()) file_parameters.push_back(t.detach().clone());
    QVERIFY(same_parameters(file_parameters, seen.at(v.best_iteration)));
    QCOMPARE(nlohmann::json::parse(saved.facts)["validation"]["best_iteration"].get<int64_t>(), v.best_iteration);

    PolicyTrainingOptions resumable = options_in("/resumed");
    resumable.resume = true;
    PolicyTraining first(denoiser, expert, resumable);
    PolicyTrainingControl stop_at_three;
    stop_at_three.stop = [&] { return first.trainer().iterations() >= 3; };
    first.run(stop_at_three);
    PolicyTraining second(denoiser, expert, resumable);
    QVERIFY(second.resumed());
    const PolicyTrainingOutcome resumed = second.run();
    QCOMPARE(resumed.validation.best, v.best);
    QCOMPARE(resumed.validation.best_iteration, v.best_iteration);
    QCOMPARE(resumed.validation.start, v.start);
    QCOMPARE(resumed.validation.evaluations, v.evaluations);
    QVERIFY(same_parameters(parameters_of(second), parameters_of(straight)));
}

IRL_TEST_CLASS("test_policy_training", TestPolicyTraining)
#include "test_policy_training.moc"
