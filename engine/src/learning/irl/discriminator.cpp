#include "irl/engine/learning/irl/discriminator.h"

#include <torch/torch.h>

#include <cmath>

namespace irl {
namespace {

constexpr int64_t kDiscriminatorSigmaFeatures = 16;

}  // namespace

DiscriminatorImpl::DiscriminatorImpl(std::vector<int64_t> sample_shape, int64_t width)
    : shape_(std::move(sample_shape)), images_(shape_.size() == 3) {
    // Fourier features of log sigma over the range EDM samples (0.002 .. 80).
    frequencies_ = register_buffer("frequencies", torch::exp(torch::linspace(std::log(0.25), std::log(8.0), kDiscriminatorSigmaFeatures / 2)));
    int64_t features = width;
    if (images_) {
        const int64_t c = shape_[0];
        trunk = register_module("trunk", torch::nn::Sequential(
            torch::nn::Conv2d(torch::nn::Conv2dOptions(c, 32, 3).stride(2).padding(1)), torch::nn::SiLU(),
            torch::nn::Conv2d(torch::nn::Conv2dOptions(32, 64, 3).stride(2).padding(1)), torch::nn::SiLU(),
            torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions({4, 4})), torch::nn::Flatten(),
            torch::nn::Linear(64 * 16, width), torch::nn::SiLU()));
    } else {
        int64_t d = 1;
        for (int64_t s : shape_) d *= s;
        trunk = register_module("trunk", torch::nn::Sequential(torch::nn::Linear(d + kDiscriminatorSigmaFeatures, width), torch::nn::SiLU(),
                                                               torch::nn::Linear(width, width), torch::nn::SiLU()));
    }
    head = register_module("head", torch::nn::Sequential(torch::nn::Linear(features + kDiscriminatorSigmaFeatures, width), torch::nn::SiLU(),
                                                         torch::nn::Linear(width, 1)));
}

torch::Tensor DiscriminatorImpl::sigma_features(const torch::Tensor& sigma) const {
    const torch::Tensor angles = sigma.to(torch::kFloat32).log().unsqueeze(1) * frequencies_.unsqueeze(0);
    return torch::cat({angles.sin(), angles.cos()}, 1);
}

torch::Tensor DiscriminatorImpl::forward(const torch::Tensor& x, const torch::Tensor& sigma) {
    const torch::Tensor s = sigma_features(sigma);
    // Scale states by their noise level, so the network sees inputs of unit size at every sigma.
    const torch::Tensor scale = (sigma.to(torch::kFloat32).square() + 1.0).rsqrt();
    torch::Tensor xs = x.to(torch::kFloat32);
    std::vector<int64_t> view(static_cast<size_t>(xs.dim()), 1);
    view[0] = -1;
    xs = xs * scale.reshape(view);
    const torch::Tensor features = images_ ? trunk->forward(xs) : trunk->forward(torch::cat({xs.flatten(1), s}, 1));
    return head->forward(torch::cat({features, s}, 1)).squeeze(1);
}

DiscriminatorStats discriminator_step(Discriminator& model, torch::optim::Optimizer& optimizer, const torch::Tensor& expert,
                                      const torch::Tensor& expert_sigma, const torch::Tensor& policy,
                                      const torch::Tensor& policy_sigma) {
    model->train();
    const torch::Tensor expert_logits = model->forward(expert, expert_sigma);
    const torch::Tensor policy_logits = model->forward(policy, policy_sigma);
    // log sigmoid(l) for expert, log sigmoid(-l) for policy; equal weight per class.
    const torch::Tensor loss = 0.5 * (torch::nn::functional::softplus(-expert_logits).mean() +
                                      torch::nn::functional::softplus(policy_logits).mean());
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    torch::NoGradGuard no_grad;
    const double accuracy = 0.5 * ((expert_logits > 0).to(torch::kFloat64).mean().item<double>() +
                                   (policy_logits <= 0).to(torch::kFloat64).mean().item<double>());
    return {loss.item<double>(), accuracy};
}

}  // namespace irl
