// Learning a sampling policy by inverse RL (Bourdrez, Verine, Cappe 2026): roll out the policy,
// train the sigma-conditioned discriminator on expert vs visited states, turn its logit into
// f-divergence rewards, and update the policy by REINFORCE. The denoiser is never trained.
#pragma once

#include "irl/engine/core/cancel.h"
#include "irl/engine/models/denoiser.h"
#include "irl/engine/learning/irl/discriminator.h"
#include "irl/engine/learning/irl/f_divergence.h"
#include "irl/engine/learning/irl/policy.h"
#include "irl/engine/sampling/sampler.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace irl {

class ArchiveReader;  // irl/engine/io/archive.h
class ArchiveWriter;

// One step of a recorded rollout: the active samples, what the policy saw and chose.
struct RolloutStep {
    torch::Tensor index;  // [M] positions in the batch
    PolicyInput input;
    std::vector<torch::Tensor> choice;
    ActionMasks masks;          // what the state allowed and where each component acted
    torch::Tensor evaluations;  // [M] function evaluations this step cost (counted by the sampler)
};

struct Rollout {
    SampleResult result;
    std::vector<RolloutStep> steps;
};

// Samples with the policy choosing the control at every step (temperature 0 = greedy).
Rollout rollout_policy(Denoiser& denoiser, Policy& policy, const SamplerSettings& base, const SampleRequest& request,
                       double temperature, bool record);

struct IrlOptions {
    SamplerSettings sampler;        // solver, sigma list and the control outside the action space
    DivergenceSpec divergence;
    int64_t batch = 256;            // trajectories per iteration
    int64_t discriminator_steps = 2;
    double discriminator_lr = 1e-3;
    double policy_lr = 3e-2;
    double entropy_bonus = 0.01;    // the training temperature
    // Below 0: the bonus stays at entropy_bonus. Otherwise it falls linearly from entropy_bonus at
    // the first iteration to entropy_final at iteration entropy_decay_iterations, then stays there:
    // explore while the discriminator is young, settle once it is not.
    double entropy_final = -1.0;
    int64_t entropy_decay_iterations = 0;
    double nfe_cost = 0.0;          // reward cost per function evaluation: the quality/efficiency knob
    double gradient_clip = 1.0;
    bool conditional = true;        // draw a class per trajectory when the denoiser has classes
    uint64_t seed = 0;
};

struct IrlIteration {
    int64_t iteration = 0;
    double discriminator_loss = 0.0;
    double discriminator_accuracy = 0.0;
    double mean_reward = 0.0;     // per visited state
    double entropy = 0.0;         // per step, summed over components
    double entropy_bonus = 0.0;   // the bonus this iteration trained with
    double nfe = 0.0;             // mean function evaluations per trajectory
    int64_t evaluations = 0;      // function evaluations spent this iteration (rollout)
    // Per component: [levels, choices] mean probability of each choice at each level, over the
    // states in which that component chose; a row of zeros where none did (a level no trajectory
    // reached, or where the component does not act).
    std::vector<torch::Tensor> action_probabilities;
};

class IrlTrainer {
public:
    // expert: clean real data [N, *sample_shape] (the expert states are expert + sigma * noise).
    IrlTrainer(Denoiser& denoiser, std::shared_ptr<Policy> policy, torch::Tensor expert, IrlOptions options);

    IrlIteration iterate(const CancelToken* cancel = nullptr);
    // Samples with the current policy at temperature 0, for evaluation while training (classes
    // drawn in turn when the denoiser has them). Does not touch the training random stream.
    // With `path`, SampleResult::path holds the schedule each sample took.
    SampleResult sample_greedy(int64_t count, uint64_t seed, const CancelToken* cancel = nullptr, bool path = false);

    // Everything needed to continue exactly where training stopped: policy, discriminator,
    // both optimizers, the random stream and the counters. Written atomically (temporary file
    // and rename). `setup_json` (denoiser, solver, schedule) and the method (action space, policy
    // kind, divergence, ...) are stored and checked on load: a checkpoint only resumes the same
    // setup; mismatches throw std::runtime_error naming the file and what differs.
    // `more` adds, and reads back, what a caller keeps beside the trainer (the best policy seen).
    void save_checkpoint(const std::string& path, const std::string& setup_json,
                         const std::function<void(ArchiveWriter&)>& more = {}) const;
    void load_checkpoint(const std::string& path, const std::string& setup_json,
                         const std::function<void(ArchiveReader&)>& more = {});
    // The options that define the method (action space, policy kind, divergence, ...) as JSON.
    std::string method_json() const;
    int64_t iterations() const { return iteration_; }
    int64_t total_evaluations() const { return total_evaluations_; }
    Policy& policy() { return *policy_; }
    Discriminator& discriminator() { return discriminator_; }

private:
    Denoiser& denoiser_;
    std::shared_ptr<Policy> policy_;
    torch::Tensor expert_;
    IrlOptions options_;
    Discriminator discriminator_{nullptr};
    std::unique_ptr<torch::optim::Adam> discriminator_optimizer_;
    std::unique_ptr<torch::optim::Adam> policy_optimizer_;
    at::Generator generator_;
    int64_t iteration_ = 0;
    int64_t total_evaluations_ = 0;
};

}  // namespace irl
