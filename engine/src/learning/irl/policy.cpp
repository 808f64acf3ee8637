#include "irl/engine/learning/irl/policy.h"

#include "irl/engine/core/random.h"

#include <torch/torch.h>

#include <cmath>

namespace irl {
namespace {

constexpr int64_t kSigmaFeatures = 16;
constexpr int64_t kLabelFeatures = 16;
constexpr double kForbidden = -1e9;  // logit of choices a fixed policy never takes

int64_t choices_of(const ActionSpace& space, size_t i) { return static_cast<int64_t>(space.components[i].choices.size()); }

}  // namespace

FixedPolicy::FixedPolicy(ActionSpace space, int64_t levels, std::vector<int64_t> choice)
    : Policy(std::move(space), levels), choice_(std::move(choice)) {
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

TablePolicy::TablePolicy(ActionSpace space, int64_t levels) : Policy(std::move(space), levels) {
    for (size_t i = 0; i < action_space().components.size(); ++i)
        tables_.push_back(register_parameter("table" + std::to_string(i), torch::zeros({levels, choices_of(action_space(), i)})));
}

std::vector<torch::Tensor> TablePolicy::logits(const PolicyInput& in) {
    std::vector<torch::Tensor> out;
    const torch::Tensor level = in.level.clamp(0, levels() - 1);
    for (const torch::Tensor& table : tables_) out.push_back(table.index_select(0, level));
    return out;
}

NetworkPolicy::NetworkPolicy(ActionSpace space, int64_t levels, std::vector<int64_t> sample_shape, int64_t num_classes,
                             int64_t width, uint64_t seed)
    : Policy(std::move(space), levels), sample_shape_(std::move(sample_shape)), num_classes_(num_classes) {
    frequencies_ = register_buffer("frequencies", torch::exp(torch::linspace(std::log(0.25), std::log(8.0), kSigmaFeatures / 2)));
    // Images are pooled to 7x7 per channel; vectors are used as they are.
    int64_t state = 1;
    if (sample_shape_.size() == 3) state = sample_shape_[0] * 7 * 7;
    else for (int64_t s : sample_shape_) state *= s;
    seeded_initialisation(seed, [&] {
        label_embedding = register_module("label_embedding", torch::nn::Embedding(num_classes_ + 1, kLabelFeatures));
        hidden1 = register_module("hidden1", torch::nn::Linear(2 * state + kSigmaFeatures + kLabelFeatures, width));
        hidden2 = register_module("hidden2", torch::nn::Linear(width, width));
    });
    for (size_t i = 0; i < action_space().components.size(); ++i) {
        torch::nn::Linear head(width, choices_of(action_space(), i));
        // Start uniform: zero weights and biases, so the first rollouts explore every choice.
        torch::NoGradGuard no_grad;
        head->weight.zero_();
        head->bias.zero_();
        heads->push_back(head);
    }
    register_module("heads", heads);
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
    const torch::Tensor features = torch::cat({state_features(in.x, in.sigma), state_features(in.denoised, torch::zeros_like(in.sigma)),
                                               angles.sin(), angles.cos(), label_embedding(labels)}, 1);
    const torch::Tensor h = torch::silu(hidden2(torch::silu(hidden1(features))));
    std::vector<torch::Tensor> out;
    for (const auto& head : *heads) out.push_back(head->as<torch::nn::Linear>()->forward(h));
    return out;
}

ActionSample sample_actions(const std::vector<torch::Tensor>& logits, double temperature, at::Generator& generator) {
    ActionSample sample;
    for (const torch::Tensor& l : logits) {
        if (temperature <= 0.0) {
            sample.choice.push_back(l.argmax(1));
        } else {
            const torch::Tensor probabilities = torch::softmax(l.detach().to(torch::kFloat64) / temperature, 1);
            sample.choice.push_back(at::multinomial(probabilities, 1, /*replacement=*/true, generator).squeeze(1));
        }
    }
    sample.log_prob = action_log_prob(logits, sample.choice);
    return sample;
}

torch::Tensor action_log_prob(const std::vector<torch::Tensor>& logits, const std::vector<torch::Tensor>& choice) {
    torch::Tensor total;
    for (size_t i = 0; i < logits.size(); ++i) {
        const torch::Tensor lp = torch::log_softmax(logits[i], 1).gather(1, choice[i].unsqueeze(1)).squeeze(1);
        total = total.defined() ? total + lp : lp;
    }
    return total;
}

torch::Tensor action_entropy(const std::vector<torch::Tensor>& logits) {
    torch::Tensor total;
    for (const torch::Tensor& l : logits) {
        const torch::Tensor lp = torch::log_softmax(l, 1);
        const torch::Tensor h = -(lp.exp() * lp).sum(1);
        total = total.defined() ? total + h : h;
    }
    return total;
}

}  // namespace irl
