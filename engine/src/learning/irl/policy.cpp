#include "irl/engine/learning/irl/policy.h"

#include "irl/engine/core/random.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace irl {
namespace {

constexpr int64_t kPolicySigmaFeatures = 16;
constexpr int64_t kLabelFeatures = 16;
constexpr double kForbidden = -1e9;  // logit of choices a fixed policy never takes

int64_t choices_of(const ActionSpace& space, size_t i) { return static_cast<int64_t>(space.components[i].choices.size()); }

// The start's logit above the others' (all 0) that gives it `probability` among n choices,
// p = e^m / (e^m + n - 1), and at least log 2 (twice as likely as each other choice), so that
// greedy sampling takes it. Checks the choice and the probability.
std::vector<double> start_margins(const ActionSpace& space, const std::vector<int64_t>& choice, double probability) {
    if (choice.size() != space.components.size())
        throw std::invalid_argument("warm start: one choice per action component is needed");
    if (!(probability > 0.0 && probability < 1.0)) throw std::invalid_argument("warm start: the start's probability must be in (0, 1)");
    std::vector<double> margins;
    for (size_t i = 0; i < choice.size(); ++i) {
        const int64_t n = choices_of(space, i);
        if (choice[i] < 0 || choice[i] >= n)
            throw std::invalid_argument("warm start: choice " + std::to_string(choice[i]) + " is out of range for " +
                                        to_string(space.components[i].kind));
        margins.push_back(n > 1 ? std::max(std::log(probability * double(n - 1) / (1.0 - probability)), std::log(2.0)) : 0.0);
    }
    return margins;
}

constexpr int64_t kSmoothFrequencies = 4;
constexpr int64_t kSmoothWidth = 32;

// One linear head per component, starting uniform (zero weights and biases), so that the first
// rollouts explore every choice.
torch::nn::ModuleList uniform_heads(const ActionSpace& space, int64_t width) {
    torch::nn::ModuleList heads;
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < space.components.size(); ++i) {
        torch::nn::Linear head(width, choices_of(space, i));
        head->weight.zero_();
        head->bias.zero_();
        heads->push_back(head);
    }
    return heads;
}

// Zero head weights and the start in the head biases: the same logits wherever the policy is.
void warm_start_heads(torch::nn::ModuleList& heads, const std::vector<double>& margins, const std::vector<int64_t>& choice) {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < heads->size(); ++i) {
        auto head = heads[i]->as<torch::nn::Linear>();
        head->weight.zero_();
        head->bias.zero_();
        head->bias[choice[i]].fill_(margins[i]);
    }
}

}  // namespace

void Policy::warm_start(const std::vector<int64_t>&, double) {
    throw std::invalid_argument("a " + kind() + " policy does not learn, so it has no warm start");
}

std::vector<int64_t> start_choice(const ActionSpace& space, const StepControl& control) {
    std::vector<int64_t> choice;
    for (const ActionComponent& component : space.components) {
        // A start of 0 is the schedule's first level: the highest start choice comes nearest.
        const double target = component.kind == ActionKind::Start && control.start <= 0.0 ? std::numeric_limits<double>::infinity()
                                                                                          : control_value(control, component.kind);
        int64_t best = 0;
        for (size_t j = 1; j < component.choices.size(); ++j)
            if (std::isinf(target) ? component.choices[j] > component.choices[best]
                                   : std::abs(component.choices[j] - target) < std::abs(component.choices[best] - target))
                best = static_cast<int64_t>(j);
        choice.push_back(best);
    }
    return choice;
}

FixedPolicy::FixedPolicy(ActionSpace space, int64_t levels, std::vector<int64_t> choice, int64_t budget)
    : Policy(std::move(space), levels, budget), choice_(std::move(choice)) {
    if (choice_.size() != action_space().components.size())
        throw std::invalid_argument("fixed policy: one choice per action component is needed");
    for (size_t i = 0; i < choice_.size(); ++i)
        if (choice_[i] < 0 || choice_[i] >= choices_of(action_space(), i))
            throw std::invalid_argument("fixed policy: choice out of range for component " + std::to_string(i));
}

std::vector<torch::Tensor> FixedPolicy::logits(const PolicyInput& in) {
    std::vector<torch::Tensor> out;
    const int64_t m = in.sigma.size(0);
    for (size_t i = 0; i < choice_.size(); ++i) {
        torch::Tensor l = torch::full({m, choices_of(action_space(), i)}, kForbidden);
        l.select(1, choice_[i]).fill_(0.0);
        out.push_back(l);
    }
    return out;
}

TablePolicy::TablePolicy(ActionSpace space, int64_t levels, int64_t budget) : Policy(std::move(space), levels, budget) {
    for (size_t i = 0; i < action_space().components.size(); ++i)
        tables_.push_back(register_parameter("table" + std::to_string(i),
                                             torch::zeros({levels * (std::max<int64_t>(budget, 0) + 1), choices_of(action_space(), i)})));
}

void TablePolicy::warm_start(const std::vector<int64_t>& choice, double probability) {
    const std::vector<double> margins = start_margins(action_space(), choice, probability);
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < tables_.size(); ++i) {
        tables_[i].zero_();
        tables_[i].select(1, choice[i]).fill_(margins[i]);
    }
}

std::vector<torch::Tensor> TablePolicy::logits(const PolicyInput& in) {
    std::vector<torch::Tensor> out;
    torch::Tensor row = in.level.clamp(0, levels() - 1);
    if (budget() > 0 && in.remaining.defined()) row = row * (budget() + 1) + in.remaining.clamp(0, budget());
    for (const torch::Tensor& table : tables_) out.push_back(table.index_select(0, row));
    return out;
}

NetworkPolicy::NetworkPolicy(ActionSpace space, int64_t levels, std::vector<int64_t> sample_shape, int64_t num_classes,
                             int64_t width, uint64_t seed, int64_t budget)
    : Policy(std::move(space), levels, budget), sample_shape_(std::move(sample_shape)), num_classes_(num_classes) {
    frequencies_ = register_buffer("frequencies", torch::exp(torch::linspace(std::log(0.25), std::log(8.0), kPolicySigmaFeatures / 2)));
    // Images are pooled to 7x7 per channel; vectors are used as they are.
    int64_t state = 1;
    if (sample_shape_.size() == 3) state = sample_shape_[0] * 7 * 7;
    else for (int64_t s : sample_shape_) state *= s;
    seeded_initialisation(seed, [&] {
        label_embedding = register_module("label_embedding", torch::nn::Embedding(num_classes_ + 1, kLabelFeatures));
        hidden1 = register_module("hidden1", torch::nn::Linear(2 * state + kPolicySigmaFeatures + kLabelFeatures + (budget > 0 ? 2 : 0), width));
        hidden2 = register_module("hidden2", torch::nn::Linear(width, width));
    });
    heads = register_module("heads", uniform_heads(action_space(), width));
}

void NetworkPolicy::warm_start(const std::vector<int64_t>& choice, double probability) {
    warm_start_heads(heads, start_margins(action_space(), choice, probability), choice);
}

torch::Tensor NetworkPolicy::state_features(const torch::Tensor& x, const torch::Tensor& sigma) const {
    torch::Tensor v = x.to(torch::kFloat32);
    if (v.dim() == 4) v = torch::adaptive_avg_pool2d(v, {7, 7});
    v = v.flatten(1);
    // Unit scale at every noise level.
    return v * (sigma.to(torch::kFloat32).square() + 1.0).rsqrt().unsqueeze(1);
}

std::vector<torch::Tensor> NetworkPolicy::logits(const PolicyInput& in) {
    const torch::Tensor angles = in.sigma.to(torch::kFloat32).log().unsqueeze(1) * frequencies_.unsqueeze(0);
    const torch::Tensor labels = torch::where(in.labels < 0, torch::full_like(in.labels, num_classes_), in.labels);
    std::vector<torch::Tensor> parts{state_features(in.x, in.sigma), state_features(in.denoised, torch::zeros_like(in.sigma)),
                                     angles.sin(), angles.cos(), label_embedding(labels)};
    if (budget() > 0) {
        const int64_t m = in.sigma.size(0);
        parts.push_back(in.remaining.defined() ? (in.remaining.to(torch::kFloat32) / double(budget())).unsqueeze(1) : torch::ones({m, 1}));
        parts.push_back(in.previous_log_step.defined() ? in.previous_log_step.to(torch::kFloat32).unsqueeze(1) : torch::zeros({m, 1}));
    }
    const torch::Tensor features = torch::cat(parts, 1);
    const torch::Tensor h = torch::silu(hidden2(torch::silu(hidden1(features))));
    std::vector<torch::Tensor> out;
    for (const auto& head : *heads) out.push_back(head->as<torch::nn::Linear>()->forward(h));
    return out;
}

namespace {

// How many pooled numbers the state policy sees of a sample of `shape`: five per channel of an
// image ([C, H, W]); a vector's coordinates of x_t and of the last estimate, and the size of
// what lies between them.
int64_t pooled_state_size(const std::vector<int64_t>& shape) {
    if (shape.empty()) return 0;
    if (shape.size() == 3) return 5 * shape[0];
    int64_t d = 1;
    for (int64_t s : shape) d *= s;
    return 2 * d + 1;
}

// Root mean square over the last dimension.
torch::Tensor rms(const torch::Tensor& v) { return v.square().mean(-1).sqrt(); }

// The state policy's view of a sample (see SmoothPolicy): [M, pooled_state_size(shape)].
torch::Tensor pooled_state(const PolicyInput& in, const std::vector<int64_t>& shape) {
    const int64_t m = in.sigma.size(0);
    const torch::Tensor sigma = in.sigma.to(torch::kFloat32).reshape({m, 1});
    const bool image = shape.size() == 3;
    // [M, channels, pixels]; a vector is one channel.
    const torch::Tensor x = in.x.to(torch::kFloat32).reshape({m, image ? shape[0] : 1, -1});
    const torch::Tensor d = in.denoised.defined() ? in.denoised.to(torch::kFloat32).reshape(x.sizes()) : torch::zeros_like(x);
    const torch::Tensor scaled = x * (sigma.square() + 1.0).rsqrt().unsqueeze(2);
    // What lies between x_t and the last estimate, in units of sigma: about 1 where the estimate
    // fits; capped, since at the smallest levels a small miss divided by sigma is large.
    const torch::Tensor noise = (x - d) / sigma.clamp_min(1e-3).unsqueeze(2);
    if (!image) return torch::cat({scaled.flatten(1), d.flatten(1), rms(noise.flatten(1)).clamp_max(10.0).unsqueeze(1)}, 1);
    return torch::cat({scaled.mean(2), rms(scaled), d.mean(2), rms(d), rms(noise).clamp_max(10.0)}, 1);
}

}  // namespace

SmoothPolicy::SmoothPolicy(ActionSpace space, int64_t levels, uint64_t seed, int64_t budget, std::vector<int64_t> state_shape)
    : Policy(std::move(space), levels, budget), state_shape_(std::move(state_shape)) {
    const int64_t inputs = 1 + 2 * kSmoothFrequencies + (budget > 0 ? 2 : 0) + pooled_state_size(state_shape_);
    seeded_initialisation(seed, [&] {
        hidden1 = register_module("hidden1", torch::nn::Linear(inputs, kSmoothWidth));
        hidden2 = register_module("hidden2", torch::nn::Linear(kSmoothWidth, kSmoothWidth));
    });
    heads = register_module("heads", uniform_heads(action_space(), kSmoothWidth));
}

std::vector<torch::Tensor> SmoothPolicy::logits(const PolicyInput& in) {
    // log sigma over [0.002, 80] is about [-6.2, 4.4]: a quarter of it spans about 2.65, so over
    // the whole range the slowest wave (k pi / 2, k = 1) turns about two thirds of a cycle and the
    // fastest (k = 4) about 2.65 cycles.
    const torch::Tensor u = (in.sigma.to(torch::kFloat32).clamp_min(1e-6).log() / 4.0).unsqueeze(1);
    const torch::Tensor k = torch::arange(1, kSmoothFrequencies + 1, torch::kFloat32).unsqueeze(0) * (M_PI / 2.0);
    std::vector<torch::Tensor> parts{u, (u * k).sin(), (u * k).cos()};
    if (budget() > 0) {
        const int64_t m = in.sigma.size(0);
        parts.push_back(in.remaining.defined() ? (in.remaining.to(torch::kFloat32) / double(budget())).unsqueeze(1) : torch::ones({m, 1}));
        parts.push_back(in.previous_log_step.defined() ? in.previous_log_step.to(torch::kFloat32).unsqueeze(1) : torch::zeros({m, 1}));
    }
    if (!state_shape_.empty()) parts.push_back(pooled_state(in, state_shape_));
    const torch::Tensor h = torch::silu(hidden2(torch::silu(hidden1(torch::cat(parts, 1)))));
    std::vector<torch::Tensor> out;
    for (const auto& head : *heads) out.push_back(head->as<torch::nn::Linear>()->forward(h));
    return out;
}

void SmoothPolicy::warm_start(const std::vector<int64_t>& choice, double probability) {
    warm_start_heads(heads, start_margins(action_space(), choice, probability), choice);
}

std::vector<torch::Tensor> masked_logits(const std::vector<torch::Tensor>& logits, const ActionMasks& masks) {
    if (masks.allowed.empty()) return logits;
    std::vector<torch::Tensor> out;
    for (size_t i = 0; i < logits.size(); ++i)
        out.push_back(torch::where(masks.allowed[i], logits[i], torch::full_like(logits[i], -std::numeric_limits<float>::infinity())));
    return out;
}

namespace {

// A component's per-state weight in the sums: 1 where it acts, 0 where its choice changes nothing.
torch::Tensor weight_of(const ActionMasks& masks, size_t i, const torch::Tensor& like) {
    return masks.active.empty() ? torch::ones({like.size(0)}, like.options()) : masks.active[i].to(like.scalar_type());
}

}  // namespace

ActionSample sample_actions(const std::vector<torch::Tensor>& logits, double temperature, at::Generator& generator,
                            const ActionMasks& masks) {
    ActionSample sample;
    const std::vector<torch::Tensor> allowed = masked_logits(logits, masks);
    for (const torch::Tensor& l : allowed) {
        if (temperature <= 0.0) {
            sample.choice.push_back(l.argmax(1));
        } else {
            const torch::Tensor probabilities = torch::softmax(l.detach().to(torch::kFloat64) / temperature, 1);
            sample.choice.push_back(at::multinomial(probabilities, 1, /*replacement=*/true, generator).squeeze(1));
        }
    }
    sample.log_prob = action_log_prob(logits, sample.choice, masks);
    return sample;
}

torch::Tensor action_log_prob(const std::vector<torch::Tensor>& logits, const std::vector<torch::Tensor>& choice, const ActionMasks& masks) {
    const std::vector<torch::Tensor> allowed = masked_logits(logits, masks);
    torch::Tensor total;
    for (size_t i = 0; i < allowed.size(); ++i) {
        const torch::Tensor lp = torch::log_softmax(allowed[i], 1).gather(1, choice[i].unsqueeze(1)).squeeze(1);
        // Where the component does not act its choice is not part of the action (and may be masked).
        const torch::Tensor w = weight_of(masks, i, lp);
        const torch::Tensor term = torch::where(w > 0, lp, torch::zeros_like(lp));
        total = total.defined() ? total + term : term;
    }
    return total;
}

torch::Tensor action_entropy(const std::vector<torch::Tensor>& logits, const ActionMasks& masks) {
    const std::vector<torch::Tensor> allowed = masked_logits(logits, masks);
    torch::Tensor total;
    for (size_t i = 0; i < allowed.size(); ++i) {
        const torch::Tensor lp = torch::log_softmax(allowed[i], 1);
        // 0 log 0 = 0 for masked choices, computed on finite values: where() would still send
        // the gradient of exp(-inf) * -inf (NaN) back through the branch it does not take.
        const torch::Tensor masked = lp.isneginf();
        const torch::Tensor safe = torch::where(masked, torch::zeros_like(lp), lp);
        const torch::Tensor plogp = torch::where(masked, torch::zeros_like(lp), safe.exp() * safe);
        const torch::Tensor h = -plogp.sum(1) * weight_of(masks, i, lp);
        total = total.defined() ? total + h : h;
    }
    return total;
}

}  // namespace irl
