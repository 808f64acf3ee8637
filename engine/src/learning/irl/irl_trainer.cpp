#include "irl/engine/learning/irl/irl_trainer.h"

#include "irl/engine/core/random.h"
#include "irl/engine/core/setup_differences.h"
#include "irl/engine/io/archive.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace irl {
namespace {

// The entropy bonus at `iteration` (counted from 1): constant, or falling linearly to entropy_final.
double entropy_bonus_at(const IrlOptions& o, int64_t iteration) {
    if (o.entropy_final < 0.0) return o.entropy_bonus;
    const double done = o.entropy_decay_iterations > 1
                            ? std::clamp(double(iteration - 1) / double(o.entropy_decay_iterations - 1), 0.0, 1.0)
                            : 1.0;
    return o.entropy_bonus + done * (o.entropy_final - o.entropy_bonus);
}

PolicyInput input_of(const StepState& state) {
    return {state.x, state.denoised, state.sigma, state.level, state.labels, state.remaining, state.previous_log_step};
}

}  // namespace

Rollout rollout_policy(Denoiser& denoiser, Policy& policy, const SamplerSettings& base, const SampleRequest& request,
                       double temperature, bool record) {
    Rollout rollout;
    SamplerSettings settings = base;
    at::Generator choices = make_generator(request.seed * 7919ULL + 17ULL);
    const ActionSpace& space = policy.action_space();
    std::vector<torch::Tensor> spent_before;  // per recorded step: [M] evaluations before it
    settings.control = [&](const StepState& state, const StepControls& fixed) {
        const PolicyInput in = input_of(state);
        std::vector<torch::Tensor> logits;
        {
            torch::NoGradGuard no_grad;
            logits = policy.logits(in);
        }
        ActionMasks masks;
        for (size_t c = 0; c < space.components.size(); ++c) {
            masks.allowed.push_back(space.allowed(c, state, base.solver));
            masks.active.push_back(space.active(c, state));
        }
        const ActionSample sample = sample_actions(logits, temperature, choices, masks);
        if (record) {
            rollout.steps.push_back({state.active_index, in, sample.choice, masks, torch::Tensor()});
            spent_before.push_back(state.evaluations);
        }
        return space.controls(sample.choice, state, fixed);
    };
    rollout.result = sample(denoiser, settings, request);
    // What each step cost: the evaluations counted before the same samples' next step (or at the end).
    for (size_t t = 0; t < rollout.steps.size(); ++t) {
        RolloutStep& step = rollout.steps[t];
        torch::Tensor after = rollout.result.evaluations.index_select(0, step.index);
        if (t + 1 < rollout.steps.size()) {
            const RolloutStep& later = rollout.steps[t + 1];
            const int64_t n = rollout.result.evaluations.size(0);
            const torch::Tensor position =
                torch::full({n}, int64_t(-1), torch::kInt64).index_put_({later.index}, torch::arange(later.index.size(0)));
            const torch::Tensor where = position.index_select(0, step.index);
            const torch::Tensor continuing = (where >= 0).nonzero().squeeze(1);
            after.index_copy_(0, continuing, spent_before[t + 1].index_select(0, where.index_select(0, continuing)));
        }
        step.evaluations = (after - spent_before[t]).to(torch::kFloat64);
    }
    return rollout;
}

IrlTrainer::IrlTrainer(Denoiser& denoiser, std::shared_ptr<Policy> policy, torch::Tensor expert, IrlOptions options)
    : denoiser_(denoiser), policy_(std::move(policy)), expert_(expert.to(torch::kFloat32)), options_(std::move(options)),
      generator_(make_generator(options_.seed)) {
    // Its initial weights follow the seed (not LibTorch's global generator's history), so that a
    // run is reproducible from its options also inside the long-lived studio.
    seeded_initialisation(options_.seed * 2654435761ULL + 99991ULL, [&] { discriminator_ = Discriminator(denoiser_.sample_shape()); });
    discriminator_optimizer_ = std::make_unique<torch::optim::Adam>(discriminator_->parameters(),
                                                                    torch::optim::AdamOptions(options_.discriminator_lr));
    if (!policy_->parameters().empty())
        policy_optimizer_ = std::make_unique<torch::optim::Adam>(policy_->parameters(), torch::optim::AdamOptions(options_.policy_lr));
}

IrlIteration IrlTrainer::iterate(const CancelToken* cancel) {
    IrlIteration report;
    report.iteration = ++iteration_;
    const int64_t n = options_.batch;
    const std::vector<double>& sigmas = options_.sampler.sigmas;
    const double sigma_floor = sigmas[sigmas.size() - 2];

    // 1. Roll out the current policy.
    SampleRequest request;
    request.count = n;
    request.seed = options_.seed * 1000003ULL + static_cast<uint64_t>(iteration_);
    request.cancel = cancel;
    if (options_.conditional && denoiser_.num_classes() > 0)
        request.labels = at::randint(denoiser_.num_classes(), {n}, generator_, torch::kInt64);
    const Rollout rollout = rollout_policy(denoiser_, *policy_, options_.sampler, request, 1.0, true);
    report.evaluations = rollout.result.evaluations.sum().item<int64_t>();
    report.nfe = rollout.result.nfe;
    total_evaluations_ += report.evaluations;

    // 2. The states each action led to: the next step's state, or the final sample.
    const size_t steps = rollout.steps.size();
    std::vector<torch::Tensor> next_x(steps), next_sigma(steps);
    for (size_t t = 0; t < steps; ++t) {
        const RolloutStep& step = rollout.steps[t];
        torch::Tensor x = rollout.result.samples.index_select(0, step.index).to(torch::kFloat32);
        torch::Tensor sigma = torch::full({step.index.size(0)}, sigma_floor, torch::kFloat64);
        if (t + 1 < steps) {
            // Samples still active at t + 1 appear there in the same relative order.
            const RolloutStep& later = rollout.steps[t + 1];
            const torch::Tensor position = torch::full({n}, int64_t(-1), torch::kInt64).index_put_({later.index}, torch::arange(later.index.size(0)));
            const torch::Tensor where = position.index_select(0, step.index);
            const torch::Tensor continuing = (where >= 0).nonzero().squeeze(1);
            x.index_copy_(0, continuing, later.input.x.index_select(0, where.index_select(0, continuing)).to(torch::kFloat32));
            sigma.index_copy_(0, continuing, later.input.sigma.index_select(0, where.index_select(0, continuing)));
        }
        next_x[t] = x;
        next_sigma[t] = sigma;
    }
    const torch::Tensor visited = torch::cat(next_x), visited_sigma = torch::cat(next_sigma);

    // 3. Discriminator: expert states at the same noise levels as the visited ones.
    for (int64_t k = 0; k < options_.discriminator_steps; ++k) {
        const torch::Tensor pick = at::randint(expert_.size(0), {visited.size(0)}, generator_, torch::kInt64);
        const torch::Tensor clean = expert_.index_select(0, pick);
        const torch::Tensor noise = standard_normal(clean.sizes(), generator_, torch::kFloat32);
        const torch::Tensor expert_states = clean + per_sample(visited_sigma.to(torch::kFloat32), clean) * noise;
        const DiscriminatorStats stats =
            discriminator_step(discriminator_, *discriminator_optimizer_, expert_states, visited_sigma, visited, visited_sigma);
        report.discriminator_loss = stats.loss;
        report.discriminator_accuracy = stats.accuracy;
    }

    // 4. Rewards of the states each action led to, reward-to-go per trajectory, per-step baselines.
    // Expert states are drawn at the noise levels the policy visits, so the two occupancies share
    // their sigma-marginal by construction and the divergence that is matched is the one between
    // the states *at each noise level*. Renoise makes a trajectory's length depend on the policy:
    // for rho(.|sigma) = mu(.|sigma) / |mu(.|sigma)| (mu: the visits at that level) the derivative
    // in mu is (g - E_rho[g | sigma]) / |mu(.|sigma)|, g being the reward of the normalised case;
    // so each state's reward is centred on the mean reward of its noise level in the batch.
    // Without it a restart's extra states each add a reward: mostly negative on policy states, so
    // a restart was penalised for its length. Centring on the batch mean instead (an earlier
    // version) rewarded it for its length: the extra states sit at high sigma, where the
    // discriminator is near chance and the rewards are above the batch mean. With fixed-length
    // trajectories the centring is a constant per step that the per-step baselines remove anyway.
    std::vector<torch::Tensor> rewards(steps);
    {
        torch::NoGradGuard no_grad;
        discriminator_->eval();
        for (size_t t = 0; t < steps; ++t) {
            const torch::Tensor logit = discriminator_->forward(next_x[t], next_sigma[t]).to(torch::kFloat64);
            rewards[t] = divergence_reward(options_.divergence, logit);
        }
        const torch::Tensor all = torch::cat(rewards);
        if (!torch::isfinite(all).all().item<bool>() || !std::isfinite(report.discriminator_loss))
            throw std::runtime_error("training diverged at iteration " + std::to_string(iteration_) +
                                     ": the discriminator's rewards are not finite (the last checkpoint is the last good state)");
        report.mean_reward = all.mean().item<double>();
        const auto [levels, group] = at::_unique(visited_sigma, /*sorted=*/true, /*return_inverse=*/true);
        const torch::Tensor sums = torch::zeros({levels.size(0)}, torch::kFloat64).index_add_(0, group, all);
        const torch::Tensor counts = torch::zeros({levels.size(0)}, torch::kFloat64).index_add_(0, group, torch::ones_like(all));
        const torch::Tensor centred = all - (sums / counts).index_select(0, group);
        int64_t offset = 0;
        for (size_t t = 0; t < steps; ++t) {
            const int64_t m = rewards[t].size(0);
            rewards[t] = centred.narrow(0, offset, m) - options_.nfe_cost * rollout.steps[t].evaluations;
            offset += m;
        }
    }
    // G_t = r_t + G_{t+1} for samples still running at t + 1 (those active at t + 1 are a subset).
    std::vector<torch::Tensor> to_go(steps);
    torch::Tensor next_total = torch::zeros({n}, torch::kFloat64);  // G_{t+1} by batch position, 0 once finished
    for (size_t t = steps; t-- > 0;) {
        const torch::Tensor index = rollout.steps[t].index;
        to_go[t] = rewards[t] + next_total.index_select(0, index);
        next_total = torch::zeros({n}, torch::kFloat64).index_copy_(0, index, to_go[t]);
    }

    // 5. REINFORCE with an entropy bonus.
    report.entropy_bonus = entropy_bonus_at(options_, iteration_);
    report.action_probabilities.resize(policy_->action_space().components.size());
    for (size_t c = 0; c < report.action_probabilities.size(); ++c)
        report.action_probabilities[c] =
            torch::zeros({policy_->levels(), static_cast<int64_t>(policy_->action_space().components[c].choices.size())}, torch::kFloat64);
    // Per component and level: the states in which that component chose (a level no trajectory
    // reached, or where the component does not act, such as Start after the first step, keeps a
    // row of zeros, which the studio shows as not visited).
    std::vector<torch::Tensor> level_counts;  // one tensor each (a filled vector would share one)
    for (size_t c = 0; c < report.action_probabilities.size(); ++c) level_counts.push_back(torch::zeros({policy_->levels()}, torch::kFloat64));
    torch::Tensor loss = torch::zeros({}, torch::kFloat32);
    double entropy_total = 0.0;
    int64_t state_count = 0;
    std::vector<torch::Tensor> advantages(steps);
    double square_sum = 0.0;
    for (size_t t = 0; t < steps; ++t) {
        advantages[t] = to_go[t] - to_go[t].mean();
        square_sum += advantages[t].square().sum().item<double>();
        state_count += advantages[t].size(0);
    }
    const double scale = 1.0 / (std::sqrt(square_sum / std::max<int64_t>(1, state_count)) + 1e-8);
    for (size_t t = 0; t < steps; ++t) {
        const RolloutStep& step = rollout.steps[t];
        const std::vector<torch::Tensor> logits = policy_->logits(step.input);
        const torch::Tensor log_prob = action_log_prob(logits, step.choice, step.masks);
        const torch::Tensor entropy = action_entropy(logits, step.masks);
        loss = loss - (advantages[t].to(torch::kFloat32) * scale * log_prob).sum() / double(state_count) -
               report.entropy_bonus * entropy.sum() / double(state_count);
        entropy_total += entropy.sum().item<double>();
        torch::NoGradGuard no_grad;
        const torch::Tensor level = step.input.level.clamp(0, policy_->levels() - 1);
        const std::vector<torch::Tensor> shown = masked_logits(logits, step.masks);
        for (size_t c = 0; c < logits.size(); ++c) {
            const torch::Tensor acts = step.masks.active.empty() ? torch::ones({level.size(0)}, torch::kFloat64)
                                                                 : step.masks.active[c].to(torch::kFloat64);
            // Where every choice is ruled out the softmax is NaN: those states do not act, and count nothing.
            const torch::Tensor p = torch::nan_to_num(torch::softmax(shown[c], 1).to(torch::kFloat64), 0.0);
            report.action_probabilities[c].index_add_(0, level, p * acts.unsqueeze(1));
            level_counts[c].index_add_(0, level, acts);
        }
    }
    for (size_t c = 0; c < report.action_probabilities.size(); ++c)
        report.action_probabilities[c] /= level_counts[c].clamp_min(1.0).unsqueeze(1);
    report.entropy = entropy_total / std::max<int64_t>(1, state_count);
    if (!std::isfinite(loss.item<double>()))
        throw std::runtime_error("training diverged at iteration " + std::to_string(iteration_) +
                                 ": the policy loss is not finite (the last checkpoint is the last good state)");
    if (policy_optimizer_) {
        policy_optimizer_->zero_grad();
        loss.backward();
        torch::nn::utils::clip_grad_norm_(policy_->parameters(), options_.gradient_clip);
        policy_optimizer_->step();
    }
    return report;
}

SampleResult IrlTrainer::sample_greedy(int64_t count, uint64_t seed, const CancelToken* cancel, bool path) {
    SampleRequest request;
    request.count = count;
    request.seed = seed;
    request.cancel = cancel;
    request.record_path = path;
    if (options_.conditional && denoiser_.num_classes() > 0)
        request.labels = classes_in_turn(count, denoiser_.num_classes());
    return rollout_policy(denoiser_, *policy_, options_.sampler, request, 0.0, false).result;
}

namespace {
const FileKind kIrlCheckpointFile{"irlstudio-irl-checkpoint", 1, "training checkpoint"};
}

std::string IrlTrainer::method_json() const {
    // What changes the networks' shapes or what is optimised: resuming with any of it changed
    // would continue another training under this one's name.
    const Policy& policy = *policy_;
    nlohmann::json method = {{"policy", policy.kind()},
                             {"actions", nlohmann::json::parse(policy.action_space().to_json())},
                             {"levels", policy.levels()},
                             {"policy_budget", std::max<int64_t>(policy.budget(), 0)},  // 0: none, as checkpoints say it
                             {"divergence", to_string(options_.divergence.kind)},
                             {"conditional", options_.conditional && denoiser_.num_classes() > 0},
                             {"nfe_cost", options_.nfe_cost},
                             {"renoise_cap", options_.sampler.renoise_cap},
                             {"fixed_control", {{"guidance", options_.sampler.fixed.guidance}, {"churn", options_.sampler.fixed.churn},
                                                {"stochasticity", options_.sampler.fixed.stochasticity},
                                                {"renoise", options_.sampler.fixed.renoise}}},
                             {"s_churn", options_.sampler.churn_rule.s_churn}};
    if (options_.divergence.kind == Divergence::PrecisionRecall) method["pr_lambda"] = options_.divergence.pr_lambda;
    return method.dump();
}

void IrlTrainer::save_checkpoint(const std::string& path, const std::string& setup_json,
                                 const std::function<void(ArchiveWriter&)>& more) const {
    ArchiveWriter archive(kIrlCheckpointFile);
    archive.text("setup", setup_json);
    archive.text("method", method_json());
    archive.text("policy_kind", policy_->kind());
    archive.integer("iteration", iteration_);
    archive.integer("total_evaluations", total_evaluations_);
    archive.tensor("generator", generator_.get_state());
    archive.module("policy", *policy_);
    archive.module("discriminator", *discriminator_);
    archive.optimizer("discriminator_optimizer", *discriminator_optimizer_);
    if (policy_optimizer_) archive.optimizer("policy_optimizer", *policy_optimizer_);
    if (more) more(archive);
    archive.save(path);
}

void IrlTrainer::load_checkpoint(const std::string& path, const std::string& setup_json,
                                 const std::function<void(ArchiveReader&)>& more) {
    ArchiveReader archive(path, kIrlCheckpointFile);
    std::string differences = setup_differences(archive.text("setup"), setup_json, "the checkpoint");
    // Checkpoints written before the method was recorded hold only the setup.
    const std::string method = archive.has("method") ? archive.text("method") : std::string();
    if (method.empty()) {
        if (archive.text("policy_kind") != policy_->kind())
            differences += (differences.empty() ? "" : "\n") + std::string("policy: ") + archive.text("policy_kind") +
                           " in the checkpoint, " + policy_->kind() + " here";
    } else {
        const std::string more = setup_differences(method, method_json(), "the checkpoint");
        differences += (differences.empty() || more.empty() ? "" : "\n") + more;
    }
    if (!differences.empty()) archive.fail("was written for another training setup:\n" + differences);
    archive.load_module("policy", *policy_);
    archive.load_module("discriminator", *discriminator_);
    archive.load_optimizer("discriminator_optimizer", *discriminator_optimizer_);
    if (policy_optimizer_) archive.load_optimizer("policy_optimizer", *policy_optimizer_);
    const int64_t iteration = archive.integer("iteration"), total = archive.integer("total_evaluations");
    if (iteration < 0 || total < 0) archive.fail("has damaged counters");
    const torch::Tensor state = archive.tensor("generator");
    try {
        generator_.set_state(state);
    } catch (const std::exception&) {
        archive.fail("has a damaged random-generator state");
    }
    if (more) more(archive);
    iteration_ = iteration;
    total_evaluations_ = total;
}

}  // namespace irl
