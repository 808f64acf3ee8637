// Inverse RL end to end on a toy with the exact denoiser: the policy must learn, from expert
// states alone, to avoid an action that throws samples off the data (guidance 8 on the ring).
#include "irl/engine/models/gaussian_mixture_denoiser.h"
#include "irl/engine/learning/irl/irl_trainer.h"
#include "irl/engine/learning/irl/policy_file.h"
#include "irl/engine/core/random.h"
#include "irl/engine/sampling/schedule.h"
#include "irl/engine/data/toy_mixtures.h"
#include "test_registry.h"

#include <QtTest/QtTest>
#include <torch/torch.h>

using namespace irl;

namespace {

ActionSpace guidance_space() {
    ActionSpace space;
    space.components.push_back({ActionKind::Guidance, {1.0, 8.0}});
    return space;
}

// Clean expert data from the toy's own mixture, as float32 like a dataset.
torch::Tensor expert_samples(const GaussianMixtureDenoiser& denoiser, uint64_t seed, int64_t count) {
    at::Generator g = make_generator(seed);
    return denoiser.mixture().sample(count, g).to(torch::kFloat32);
}

// Euler on five Karras levels from 80, the setting of the trainer-level tests on ring8.
IrlOptions euler_options(int64_t batch, uint64_t seed) {
    IrlOptions options;
    options.sampler.solver = Solver::Euler;
    options.sampler.sigmas = karras_schedule(5, 0.002, 80.0);
    options.batch = batch;
    options.seed = seed;
    return options;
}

}  // namespace

class TestIrlTrainer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void actionSpaceAndPolicies();
    void rolloutRecordsEveryStep();
    void learnsToAvoidHarmfulGuidance();
    void restartsAreNotPenalisedForTheirLength();
    void restartsAreNotRewardedForTheirLength();
    void checkpointResumesExactly();
    void initialWeightsFollowTheSeed();
    void entropyBonusFallsToItsEnd();
    void actionProbabilitiesOnlyWhereTheActionChose();
    void statePolicySeesWhatASampleLooksLike();
};

void TestIrlTrainer::actionSpaceAndPolicies() {
    ActionSpace space = guidance_space();
    space.components.push_back({ActionKind::Renoise, {0.0, 1.0}, 0.5, 5.0});
    QCOMPARE(ActionSpace::from_json(space.to_json()).to_json(), space.to_json());
    StepState state;
    state.iteration = 1;
    state.levels = 10;
    state.sigma = torch::tensor({10.0, 1.0, 0.1}, torch::kFloat64);
    state.level = torch::tensor({2, 5, 8}, torch::kInt64);
    const StepControls c = space.controls({torch::tensor({1, 1, 0}), torch::tensor({1, 1, 1})}, state, StepControls::broadcast({}, 3));
    QVERIFY(torch::equal(c.guidance, torch::tensor({8.0, 8.0, 1.0}, torch::kFloat64)));
    QVERIFY(torch::equal(c.renoise, torch::tensor({0, 1, 0}, torch::kInt64)));  // active for sigma in [0.5, 5] only
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, (ActionSpace{{{ActionKind::Renoise, {0.5}}}}).validate());
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, ActionSpace::from_json(R"([{"kind": "speed", "choices": [1]}])"));

    FixedPolicy fixed(guidance_space(), 6, {1});
    PolicyInput in{torch::zeros({4, 2}), torch::zeros({4, 2}), torch::ones({4}), torch::zeros({4}, torch::kInt64), torch::zeros({4}, torch::kInt64)};
    at::Generator g = make_generator(0);
    QVERIFY(torch::equal(sample_actions(fixed.logits(in), 1.0, g).choice[0], torch::ones({4}, torch::kInt64)));
    TablePolicy table(guidance_space(), 6);
    QVERIFY(std::abs(action_entropy(table.logits(in)).mean().item<double>() - std::log(2.0)) < 1e-6);  // starts uniform
    NetworkPolicy network(guidance_space(), 6, {2}, 8);
    QVERIFY(std::abs(action_entropy(network.logits(in)).mean().item<double>() - std::log(2.0)) < 1e-6);
    NetworkPolicy images(guidance_space(), 6, {1, 28, 28}, 10);
    PolicyInput image_in{torch::zeros({3, 1, 28, 28}), torch::zeros({3, 1, 28, 28}), torch::ones({3}), torch::zeros({3}, torch::kInt64),
                         torch::tensor({-1, 0, 9})};
    QCOMPARE(images.logits(image_in)[0].sizes(), (std::vector<int64_t>{3, 2}));
}

void TestIrlTrainer::rolloutRecordsEveryStep() {
    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"), "ring8");
    SamplerSettings settings;
    settings.solver = Solver::Heun;
    settings.sigmas = karras_schedule(6, 0.002, 80.0);
    FixedPolicy always8(guidance_space(), 6, {1});
    SampleRequest request;
    request.count = 32;
    request.labels = torch::arange(32, torch::kInt64) % 8;
    const Rollout r = rollout_policy(denoiser, always8, settings, request, 1.0, true);
    QCOMPARE(r.steps.size(), size_t(6));
    QCOMPARE(r.result.nfe, 22.0);  // Heun, 6 levels: 11 evaluations, doubled by guidance
    QVERIFY(torch::equal(r.steps[0].evaluations, torch::full({32}, 4.0, torch::kFloat64)));
    // The same through the plain sampler with a fixed guidance of 8.
    settings.fixed.guidance = 8.0;
    request.seed = 0;
    QVERIFY(torch::allclose(sample(denoiser, settings, request).samples, r.result.samples));
}

void TestIrlTrainer::learnsToAvoidHarmfulGuidance() {
    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"), "ring8");
    const torch::Tensor expert = expert_samples(denoiser, 5, 20000);
    IrlOptions options;
    options.sampler.solver = Solver::Euler;
    options.sampler.sigmas = karras_schedule(6, 0.002, 80.0);
    options.divergence = {Divergence::JensenShannon};
    options.batch = 256;
    options.discriminator_steps = 3;
    options.policy_lr = 0.1;
    auto policy = std::make_shared<TablePolicy>(guidance_space(), 6);
    IrlTrainer trainer(denoiser, policy, expert, options);
    IrlIteration first, last;
    for (int i = 0; i < 60; ++i) {
        last = trainer.iterate();
        if (i == 0) first = last;
    }
    const torch::Tensor p8 = last.action_probabilities[0].select(1, 1);
    QString levels;
    for (int64_t i = 0; i < p8.size(0); ++i) levels += QString::number(p8[i].item<double>(), 'f', 3) + " ";
    qInfo("P(guidance 8) per level after 60 iterations: %s; discriminator accuracy %.2f -> %.2f; reward %.3f -> %.3f",
          qPrintable(levels), first.discriminator_accuracy, last.discriminator_accuracy, first.mean_reward, last.mean_reward);
    // Where it hurts (the first, high-noise levels) the policy has learned to keep guidance at 1.
    QVERIFY2(p8.narrow(0, 0, 3).max().item<double>() < 0.25, qPrintable(levels));
    // Greedy samples of the learned policy sit on the data as well as plain sampling does.
    SampleRequest request;
    request.count = 2000;
    request.labels = torch::arange(2000, torch::kInt64) % 8;
    request.seed = 99;
    const torch::Tensor learned = rollout_policy(denoiser, *policy, options.sampler, request, 0.0, false).result.samples;
    FixedPolicy always8(guidance_space(), 6, {1});
    const torch::Tensor harmful = rollout_policy(denoiser, always8, options.sampler, request, 0.0, false).result.samples;
    const torch::Tensor tiny = torch::full({2000}, 0.002, torch::kFloat64);
    const double learned_density = denoiser.mixture().log_density(learned, tiny).mean().item<double>();
    const double harmful_density = denoiser.mixture().log_density(harmful, tiny).mean().item<double>();
    qInfo("mean log density: learned %.2f, always guidance 8 %.2f", learned_density, harmful_density);
    QVERIFY(learned_density > harmful_density + 1.0);
    QVERIFY(trainer.total_evaluations() > 0);

    // The policy file round-trips, and refuses another setup, saying what differs.
    const QString path = QDir::temp().filePath(QString("irl-policy-%1.pt").arg(QCoreApplication::applicationPid()));
    const PolicySetup setup = PolicySetup::of(denoiser, options.sampler);
    save_policy(*policy, setup, path.toStdString());
    const LoadedPolicy loaded = load_policy(path.toStdString(), &setup);
    QCOMPARE(loaded.policy->kind(), std::string("table"));
    const torch::Tensor again = rollout_policy(denoiser, *loaded.policy, options.sampler, request, 0.0, false).result.samples;
    QVERIFY(torch::equal(again, learned));
    SamplerSettings other = options.sampler;
    other.sigmas = karras_schedule(10, 0.002, 80.0);
    other.solver = Solver::Heun;
    const PolicySetup different = PolicySetup::of(denoiser, other);
    try {
        load_policy(path.toStdString(), &different);
        QFAIL("expected a refusal");
    } catch (const std::runtime_error& e) {
        QVERIFY2(QString(e.what()).contains("10 levels here, the policy has 6") && QString(e.what()).contains("solver"), e.what());
    }
    QFile::remove(path);
}

// Renoise makes a trajectory longer. The divergence is between normalised occupancies, so the
// rewards are centred on the batch mean: visiting more states is not in itself good or bad.
// Here the sampler is accurate, so the discriminator can hardly tell the policy's states from the
// expert's and reverse KL gives every state about -1 (l - 1 with l ~ 0). Without the centring,
// each state a restart adds costs about 1 and the policy quickly learns never to renoise.
namespace {

struct RestartOutcome {
    double p = 0.0;       // the restart probability after training
    bool moved = false;   // the policy's parameters changed
    IrlIteration last;
};

RestartOutcome train_restarts(IrlTrainer& trainer, const std::shared_ptr<TablePolicy>& policy, int64_t level) {
    std::vector<torch::Tensor> before;
    for (const torch::Tensor& p : policy->parameters()) before.push_back(p.detach().clone());
    RestartOutcome out;
    for (int i = 0; i < 20; ++i) out.last = trainer.iterate();
    const torch::Tensor p_table = out.last.action_probabilities[0].select(1, 1);
    out.p = level < 0 ? p_table.mean().item<double>() : p_table[level].item<double>();
    const auto after = policy->parameters();
    for (size_t i = 0; i < before.size(); ++i) out.moved = out.moved || !torch::equal(before[i], after[i].detach());
    return out;
}

// Renoise by one level anywhere on a 12-step Heun sampler of the ring; `nfe_cost` charges (or,
// negative, pays) each function evaluation.
RestartOutcome renoise_anywhere(double nfe_cost) {
    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"), "ring8");
    const torch::Tensor expert = expert_samples(denoiser, 6, 20000);
    IrlOptions options;
    options.sampler.solver = Solver::Heun;
    options.sampler.sigmas = karras_schedule(12, 0.002, 80.0);
    options.sampler.renoise_cap = 60;  // rarely reached: trajectory lengths follow the policy
    options.divergence = {Divergence::ReverseKl};
    options.batch = 128;
    options.policy_lr = 0.1;
    options.nfe_cost = nfe_cost;
    options.conditional = false;
    ActionSpace space;
    space.components.push_back({ActionKind::Renoise, {0.0, 1.0}});
    auto policy = std::make_shared<TablePolicy>(space, 12);
    IrlTrainer trainer(denoiser, policy, expert, options);
    return train_restarts(trainer, policy, -1);
}

// Restart a nearly finished sample from sigma_max (renoise 3 at the last of 4 Heun levels).
RestartOutcome restart_at_the_end(double nfe_cost) {
    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"), "ring8");
    const torch::Tensor expert = expert_samples(denoiser, 8, 20000);
    IrlOptions options;
    options.sampler.solver = Solver::Heun;
    options.sampler.sigmas = karras_schedule(4, 0.002, 80.0);
    options.sampler.renoise_cap = 30;
    options.divergence = {Divergence::JensenShannon};
    options.batch = 128;
    options.policy_lr = 0.1;
    options.discriminator_steps = 5;
    options.nfe_cost = nfe_cost;
    options.conditional = false;
    options.seed = 2;
    ActionSpace space;
    space.components.push_back({ActionKind::Renoise, {0.0, 3.0}, 0.001, 0.01});  // at the last level only
    auto policy = std::make_shared<TablePolicy>(space, 4);
    IrlTrainer trainer(denoiser, policy, expert, options);
    return train_restarts(trainer, policy, 3);
}

}  // namespace

void TestIrlTrainer::restartsAreNotPenalisedForTheirLength() {
    const RestartOutcome r = renoise_anywhere(0.0);
    qInfo("after 20 iterations: mean P(renoise 1) %.3f, mean reward %.3f, discriminator accuracy %.2f, NFE %.1f", r.p,
          r.last.mean_reward, r.last.discriminator_accuracy, r.last.nfe);
    QVERIFY2(r.moved, "the policy must have been trained");
    QVERIFY2(r.last.mean_reward < -0.5, "the setting needs a large common offset in the rewards");
    QVERIFY2(r.p > 0.3, qPrintable(QString::number(r.p)));
    // Positive control: where each evaluation really costs, the same trainer must learn to stop
    // renoising, so a trainer that never moves the policy fails this pair.
    const RestartOutcome costly = renoise_anywhere(0.2);
    qInfo("with a cost of 0.2 per evaluation: mean P(renoise 1) %.3f", costly.p);
    QVERIFY2(costly.p < 0.3, qPrintable(QString::number(costly.p)));
}

// The other side of the same coin. On ring8 a 4-step Heun sampler lands off the ring: the
// discriminator separates the final states (low rewards there) while at high sigma it is near
// chance. The policy may restart a nearly finished sample from sigma_max (renoise by every level),
// which regenerates a sample of exactly the same distribution: a restart cannot make the samples
// better, it only adds states at higher noise levels. Centred on the batch mean, those extra
// states looked good and the policy learned to restart; centred per noise level, a restart is worth
// only what it changes.
void TestIrlTrainer::restartsAreNotRewardedForTheirLength() {
    const RestartOutcome r = restart_at_the_end(0.0);
    qInfo("after 20 iterations: P(restart) %.3f, discriminator accuracy %.2f, NFE %.1f", r.p, r.last.discriminator_accuracy, r.last.nfe);
    QVERIFY2(r.moved, "the policy must have been trained");
    QVERIFY2(r.p < 0.65, qPrintable(QString::number(r.p)));
    // Positive control: where each evaluation is paid for, restarts really are better and the
    // same trainer must learn to take them.
    const RestartOutcome paid = restart_at_the_end(-0.2);
    qInfo("with 0.2 paid per evaluation: P(restart) %.3f", paid.p);
    QVERIFY2(paid.p > 0.65, qPrintable(QString::number(paid.p)));
}

// Training 3 + 3 iterations straight, or 3, a checkpoint, a fresh process-like trainer that
// loads it and 3 more: the same policy, discriminator, counters and reports.
void TestIrlTrainer::checkpointResumesExactly() {
    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"), "ring8");
    const torch::Tensor expert = expert_samples(denoiser, 5, 4000);
    IrlOptions options = euler_options(64, 3);
    ActionSpace space = guidance_space();
    space.components.push_back({ActionKind::Churn, {0.0, 0.2}});
    const std::string setup = PolicySetup::of(denoiser, options.sampler).to_json();
    QTemporaryDir dir;
    const std::string path = dir.filePath("trainer.ckpt").toStdString();

    auto straight_policy = std::make_shared<NetworkPolicy>(space, 5, std::vector<int64_t>{2}, 8, 16);
    IrlTrainer straight(denoiser, straight_policy, expert, options);
    for (int i = 0; i < 3; ++i) straight.iterate();
    straight.save_checkpoint(path, setup);
    IrlIteration a;
    for (int i = 0; i < 3; ++i) a = straight.iterate();

    // A different initialisation: everything must come from the file.
    auto resumed_policy = std::make_shared<NetworkPolicy>(space, 5, std::vector<int64_t>{2}, 8, 16, 12345);
    IrlTrainer resumed(denoiser, resumed_policy, expert, options);
    {
        torch::NoGradGuard no_grad;
        for (torch::Tensor& p : resumed.discriminator()->parameters()) p.add_(0.5);
    }
    resumed.load_checkpoint(path, setup);
    QCOMPARE(resumed.iterations(), int64_t(3));
    IrlIteration b;
    for (int i = 0; i < 3; ++i) b = resumed.iterate();
    QCOMPARE(b.iteration, a.iteration);
    QCOMPARE(resumed.total_evaluations(), straight.total_evaluations());
    QCOMPARE(b.discriminator_loss, a.discriminator_loss);
    QCOMPARE(b.mean_reward, a.mean_reward);
    const auto pa = straight_policy->parameters(), pb = resumed_policy->parameters();
    for (size_t i = 0; i < pa.size(); ++i) QVERIFY(torch::equal(pa[i], pb[i]));

    // Another setup, another policy kind, a file that is no checkpoint: refused with the reason.
    SamplerSettings other = options.sampler;
    other.sigmas = karras_schedule(7, 0.002, 80.0);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, resumed.load_checkpoint(path, PolicySetup::of(denoiser, other).to_json()));
    IrlTrainer table(denoiser, std::make_shared<TablePolicy>(space, 5), expert, options);
    try {
        table.load_checkpoint(path, setup);
        QFAIL("a network checkpoint must not load into a table policy");
    } catch (const std::runtime_error& e) {
        QVERIFY2(QString(e.what()).contains("network"), e.what());
    }
    // Another action space, with as many choices (the weights would fit) or with more: refused
    // before a weight is read, saying what differs.
    for (const std::vector<double>& churn : {std::vector<double>{0.0, 0.3}, std::vector<double>{0.0, 0.1, 0.3}}) {
        ActionSpace another = guidance_space();
        another.components.push_back({ActionKind::Churn, churn});
        auto policy = std::make_shared<NetworkPolicy>(another, 5, std::vector<int64_t>{2}, 8, 16);
        IrlTrainer other_actions(denoiser, policy, expert, options);
        try {
            other_actions.load_checkpoint(path, setup);
            QFAIL("a checkpoint of another action space must not resume");
        } catch (const std::runtime_error& e) {
            QVERIFY2(QString(e.what()).contains("actions:") && QString(e.what()).contains("in the checkpoint"), e.what());
            QVERIFY2(!QString(e.what()).contains("frame #"), e.what());
        }
    }
    // Another divergence changes what is optimised: refused too.
    IrlOptions reverse = options;
    reverse.divergence.kind = Divergence::ForwardKl;
    IrlTrainer other_divergence(denoiser, std::make_shared<NetworkPolicy>(space, 5, std::vector<int64_t>{2}, 8, 16), expert, reverse);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, other_divergence.load_checkpoint(path, setup));
    // One flipped bit anywhere in the payload: the checksum refuses the file.
    QFile file(QString::fromStdString(path));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QByteArray bytes = file.readAll();
    file.close();
    bytes[bytes.size() / 2] = char(bytes[bytes.size() / 2] ^ 0x10);
    QFile flipped(dir.filePath("flipped.ckpt"));
    QVERIFY(flipped.open(QIODevice::WriteOnly));
    flipped.write(bytes);
    flipped.close();
    try {
        resumed.load_checkpoint(flipped.fileName().toStdString(), setup);
        QFAIL("a damaged checkpoint must not load");
    } catch (const std::runtime_error& e) {
        QVERIFY2(QString(e.what()).contains("checksum") && QString(e.what()).contains("flipped.ckpt"), e.what());
    }
    QFile junk(dir.filePath("junk.ckpt"));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write("not a checkpoint");
    junk.close();
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, resumed.load_checkpoint(junk.fileName().toStdString(), setup));
}


// The studio trains in one long-lived process: the initial weights of the policy network and the
// discriminator must follow the run's seed, not whatever earlier work drew from LibTorch's global
// generator; and seeding them must not disturb that generator for others.
void TestIrlTrainer::initialWeightsFollowTheSeed() {
    auto parameters_equal = [](const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
        if (a.size() != b.size()) return false;
        for (size_t i = 0; i < a.size(); ++i)
            if (!torch::equal(a[i], b[i])) return false;
        return true;
    };
    const NetworkPolicy first(guidance_space(), 6, {1, 28, 28}, 10, 32, 7);
    torch::rand({1000});  // earlier work advances the global generator
    const NetworkPolicy again(guidance_space(), 6, {1, 28, 28}, 10, 32, 7);
    const NetworkPolicy other(guidance_space(), 6, {1, 28, 28}, 10, 32, 8);
    QVERIFY(parameters_equal(first.parameters(), again.parameters()));
    QVERIFY(!parameters_equal(first.parameters(), other.parameters()));

    torch::manual_seed(99);
    const torch::Tensor expected = torch::rand({5});
    torch::manual_seed(99);
    seeded_initialisation(1, [] { torch::rand({100}); });
    QVERIFY(torch::equal(torch::rand({5}), expected));

    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"), "ring8");
    const torch::Tensor expert = expert_samples(denoiser, 5, 2000);
    IrlOptions options = euler_options(32, 11);
    auto train = [&](uint64_t seed) {
        options.seed = seed;
        torch::rand({777});
        auto policy = std::make_shared<NetworkPolicy>(guidance_space(), 5, std::vector<int64_t>{2}, 8, 16, seed);
        IrlTrainer trainer(denoiser, policy, expert, options);
        std::vector<torch::Tensor> start;
        for (const torch::Tensor& p : trainer.discriminator()->parameters()) start.push_back(p.clone());
        const IrlIteration report = trainer.iterate();
        return std::make_pair(start, report);
    };
    const auto [start_a, report_a] = train(11);
    const auto [start_b, report_b] = train(11);
    const auto [start_c, report_c] = train(12);
    QVERIFY(parameters_equal(start_a, start_b));
    QVERIFY(!parameters_equal(start_a, start_c));
    QCOMPARE(report_b.discriminator_loss, report_a.discriminator_loss);
    QCOMPARE(report_b.mean_reward, report_a.mean_reward);
}

// A decaying entropy bonus: entropy_bonus at the first iteration, entropy_final at the last of the
// decay, linear between and constant after; below 0 the bonus stays where it is.
void TestIrlTrainer::entropyBonusFallsToItsEnd() {
    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"), "ring8");
    const torch::Tensor expert = expert_samples(denoiser, 5, 500);
    IrlOptions options = euler_options(16, 0);
    options.entropy_bonus = 0.1;
    auto bonuses = [&](double final_bonus, int64_t decay) {
        options.entropy_final = final_bonus;
        options.entropy_decay_iterations = decay;
        auto policy = std::make_shared<NetworkPolicy>(guidance_space(), 5, std::vector<int64_t>{2}, 8, 16, 3);
        IrlTrainer trainer(denoiser, policy, expert, options);
        std::vector<double> used;
        for (int i = 0; i < 6; ++i) used.push_back(trainer.iterate().entropy_bonus);
        return used;
    };
    const std::vector<double> falling = bonuses(0.02, 5), constant = bonuses(-1.0, 5);
    const std::vector<double> expected{0.1, 0.08, 0.06, 0.04, 0.02, 0.02};
    for (size_t i = 0; i < expected.size(); ++i) {
        QVERIFY2(std::abs(falling[i] - expected[i]) < 1e-12, qPrintable(QString("iteration %1: %2").arg(i + 1).arg(falling[i])));
        QCOMPARE(constant[i], 0.1);
    }
}

// The probabilities a training iteration reports are averaged over the states where each action
// chose: Start chooses at the first step only, so its later rows are zeros (nothing learned there,
// shown grey), while churn, which acts everywhere, sums to one at every level.
void TestIrlTrainer::actionProbabilitiesOnlyWhereTheActionChose() {
    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"), "ring8");
    const torch::Tensor expert = expert_samples(denoiser, 5, 500);
    const ActionSpace space = parse_action_space("churn=0,0.3;start=80,20,5");
    auto policy = std::make_shared<TablePolicy>(space, 5);
    IrlTrainer trainer(denoiser, policy, expert, euler_options(32, 1));
    const IrlIteration it = trainer.iterate();
    const torch::Tensor churn = it.action_probabilities[0].sum(1), start = it.action_probabilities[1].sum(1);
    QVERIFY2(torch::allclose(churn, torch::ones_like(churn), 1e-6, 1e-6), qPrintable(QString::number(churn.min().item<double>())));
    QVERIFY2(std::abs(start[0].item<double>() - 1.0) < 1e-6, qPrintable(QString("start rows sum to %1, %2").arg(start[0].item<double>()).arg(start[1].item<double>())));
    QCOMPARE(start.narrow(0, 1, start.size(0) - 1).abs().sum().item<double>(), 0.0);
}


// Two samples at the same noise level that look different (a dark and a bright image; two points
// on either side of the origin) should be able to get different choices from the state policy,
// and cannot from the smooth one, which sees only where in the schedule they are. Trained on that
// one decision by cross-entropy, the state policy learns it and the smooth one stays at a coin flip.
void TestIrlTrainer::statePolicySeesWhatASampleLooksLike() {
    struct Case {
        std::vector<int64_t> shape;
        torch::Tensor x, denoised;
    };
    const torch::Tensor dark = torch::full({1, 1, 28, 28}, -0.8), bright = torch::full({1, 1, 28, 28}, 0.8);
    const std::vector<Case> cases{
        {{1, 28, 28}, torch::cat({dark, bright}) + 0.5 * torch::arange(2 * 784, torch::kFloat32).sin().reshape({2, 1, 28, 28}), torch::cat({dark, bright})},
        {{2}, torch::tensor({{-1.5, 0.2}, {1.5, 0.2}}), torch::tensor({{-1.0, 0.0}, {1.0, 0.0}})}};
    for (const Case& c : cases) {
        PolicyInput in{c.x, c.denoised, torch::full({2}, 0.5), torch::full({2}, int64_t(3)), torch::full({2}, int64_t(-1))};
        const torch::Tensor wanted = torch::tensor({0, 1}, torch::kInt64);
        SmoothPolicy state(guidance_space(), 6, 3, kNoBudget, c.shape), smooth(guidance_space(), 6, 3);
        QCOMPARE(state.kind(), std::string("state"));
        QCOMPARE(smooth.kind(), std::string("smooth"));
        QVERIFY(std::abs(action_entropy(state.logits(in)).mean().item<double>() - std::log(2.0)) < 1e-6);  // starts uniform
        for (Policy* policy : std::vector<Policy*>{&state, &smooth}) {
            torch::optim::Adam adam(policy->parameters(), torch::optim::AdamOptions(0.05));
            for (int i = 0; i < 100; ++i) {
                const torch::Tensor loss = torch::nn::functional::cross_entropy(policy->logits(in)[0], wanted);
                adam.zero_grad();
                loss.backward();
                adam.step();
            }
        }
        const torch::Tensor p_state = torch::softmax(state.logits(in)[0], 1), p_smooth = torch::softmax(smooth.logits(in)[0], 1);
        QVERIFY2(p_state[0][0].item<double>() > 0.9 && p_state[1][1].item<double>() > 0.9, "the state policy tells the samples apart");
        QVERIFY(torch::allclose(p_smooth[0], p_smooth[1]));
        QVERIFY(std::abs(p_smooth[0][0].item<double>() - 0.5) < 0.01);
    }
}

IRL_TEST_CLASS("test_irl_trainer", TestIrlTrainer)
#include "test_irl_trainer.moc"
