// Sampling policies: a categorical distribution per action component at every step. Fixed (a
// classic sampler), a per-level table (state-independent logits) or a small network on the state.
#pragma once

#include "irl/engine/sampling/action_space.h"

#include <ATen/core/Generator.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>

#include <memory>
#include <string>
#include <vector>

namespace irl {

// What a policy sees of the active samples at one step.
struct PolicyInput {
    torch::Tensor x;         // [M, ...] current states
    torch::Tensor denoised;  // [M, ...] last x0 estimate (zeros before the first step)
    torch::Tensor sigma;     // [M] noise levels
    torch::Tensor level;     // [M] int64 schedule index
    torch::Tensor labels;    // [M] int64 (-1 unconditional)
    torch::Tensor remaining;  // [M] int64 function evaluations left of the budget (kNoBudget: no budget)
    torch::Tensor previous_log_step;  // [M] float64 log(sigma before / sigma now) of the previous step
};

class Policy : public torch::nn::Module {
public:
    // `budget`: the function evaluations a trajectory may spend, as SamplerSettings::budget
    // (kNoBudget, or any value below 1: none; budget() then says kNoBudget); a policy for a
    // budget sees what is left of it.
    Policy(ActionSpace space, int64_t levels, int64_t budget = kNoBudget)
        : space_(std::move(space)), levels_(levels), budget_(budget_or_none(budget)) {
        space_.validate();
    }
    // One [M, choices] logit tensor per component.
    virtual std::vector<torch::Tensor> logits(const PolicyInput& in) = 0;
    virtual std::string kind() const = 0;
    // Starts from `choice` (an index per component) as if nothing had been learned yet: wherever
    // every choice is allowed, the start is taken with `probability` and the others share the
    // rest (or, where that would not make it the most likely, at twice the probability of each
    // other choice), so that greedy sampling gives the start exactly. Throws
    // std::invalid_argument for a choice out of range, a probability outside (0, 1), or a policy
    // that cannot learn.
    virtual void warm_start(const std::vector<int64_t>& choice, double probability);
    const ActionSpace& action_space() const { return space_; }
    int64_t levels() const { return levels_; }
    int64_t budget() const { return budget_; }

private:
    ActionSpace space_;
    int64_t levels_;
    int64_t budget_;
};

// The same choice at every step: index `choice[i]` of component i.
class FixedPolicy : public Policy {
public:
    FixedPolicy(ActionSpace space, int64_t levels, std::vector<int64_t> choice, int64_t budget = kNoBudget);
    std::vector<torch::Tensor> logits(const PolicyInput& in) override;
    std::string kind() const override { return "fixed"; }
    const std::vector<int64_t>& choice() const { return choice_; }

private:
    std::vector<int64_t> choice_;
};

// Learned logits per schedule level (and, with a budget, per evaluations left), the same for
// every state there.
class TablePolicy : public Policy {
public:
    TablePolicy(ActionSpace space, int64_t levels, int64_t budget = kNoBudget);
    std::vector<torch::Tensor> logits(const PolicyInput& in) override;
    std::string kind() const override { return "table"; }
    void warm_start(const std::vector<int64_t>& choice, double probability) override;

private:
    std::vector<torch::Tensor> tables_;  // [levels * (budget + 1), choices] per component
};

// A small MLP on the downsampled x_t and x0 estimate, a sigma embedding and the label (and, with
// a budget, the fraction of it left and the size of the last step).
class NetworkPolicy : public Policy {
public:
    // The initial weights are a function of `seed` alone (see seeded_initialisation).
    NetworkPolicy(ActionSpace space, int64_t levels, std::vector<int64_t> sample_shape, int64_t num_classes, int64_t width = 64,
                  uint64_t seed = 0, int64_t budget = kNoBudget);
    std::vector<torch::Tensor> logits(const PolicyInput& in) override;
    std::string kind() const override { return "network"; }
    // Zero head weights and the start in the head biases: the same logits in every state.
    void warm_start(const std::vector<int64_t>& choice, double probability) override;

private:
    torch::Tensor state_features(const torch::Tensor& x, const torch::Tensor& sigma) const;

    std::vector<int64_t> sample_shape_;
    int64_t num_classes_;
    torch::Tensor frequencies_;
    torch::nn::Embedding label_embedding{nullptr};
    torch::nn::Linear hidden1{nullptr}, hidden2{nullptr};
    torch::nn::ModuleList heads;
};

// The choice of each component nearest to what `control` does (the sampler's fixed control): the
// start that reproduces the classic sampler, where the action space can express it.
std::vector<int64_t> start_choice(const ActionSpace& space, const StepControl& control);

// A small MLP on where a sample is, not on what it looks like: log sigma through a few
// low-frequency Fourier features and, with a budget, the share of it left and the size of the
// last step. Neighbouring noise levels get neighbouring choices, so a level learns from the visits
// of its neighbours, where a table learns only from its own row (most rows of a fine grid are
// never visited).
//
// With a `state_shape` (the samples' shape) it is the "state" policy: the same inputs and, beside
// them, pooled features of what a sample looks like — per channel of an image the mean and the
// root mean square of x_t (scaled to unit size at its sigma), of the last estimate of the clean
// sample (PolicyInput::denoised, the denoiser's output at the previous level) and of what lies
// between them in units of sigma, (x_t - denoised) / sigma; for a vector, its coordinates (x_t at
// unit size) and the estimate's, and the size of that difference. A few numbers per channel, so
// that a handful of iterations can learn from them.
class SmoothPolicy : public Policy {
public:
    // The initial weights are a function of `seed` alone; the heads start at zero (uniform).
    SmoothPolicy(ActionSpace space, int64_t levels, uint64_t seed = 0, int64_t budget = kNoBudget,
                 std::vector<int64_t> state_shape = {});
    std::vector<torch::Tensor> logits(const PolicyInput& in) override;
    std::string kind() const override { return state_shape_.empty() ? "smooth" : "state"; }
    void warm_start(const std::vector<int64_t>& choice, double probability) override;
    const std::vector<int64_t>& state_shape() const { return state_shape_; }

private:
    std::vector<int64_t> state_shape_;
    torch::nn::Linear hidden1{nullptr}, hidden2{nullptr};
    torch::nn::ModuleList heads;
};

struct ActionSample {
    std::vector<torch::Tensor> choice;  // [M] int64 per component
    torch::Tensor log_prob;             // [M] sum over components
};

// What the state allows and where each component acts, one [M, choices] / [M] bool tensor per
// component (ActionSpace::allowed and ::active); empty: everything, everywhere.
struct ActionMasks {
    std::vector<torch::Tensor> allowed;
    std::vector<torch::Tensor> active;
};
// The logits with the choices a state rules out at -infinity: what the policy samples from.
std::vector<torch::Tensor> masked_logits(const std::vector<torch::Tensor>& logits, const ActionMasks& masks);

// Draws one choice per component from masked logits; temperature 0 takes the most likely choice.
ActionSample sample_actions(const std::vector<torch::Tensor>& logits, double temperature, at::Generator& generator,
                            const ActionMasks& masks = {});
// log pi(choice | state) and the entropy, summed over the components that act in each state
// (an inactive component's choice changes nothing, so it carries no log-probability): [M].
torch::Tensor action_log_prob(const std::vector<torch::Tensor>& logits, const std::vector<torch::Tensor>& choice,
                              const ActionMasks& masks = {});
torch::Tensor action_entropy(const std::vector<torch::Tensor>& logits, const ActionMasks& masks = {});

}  // namespace irl
