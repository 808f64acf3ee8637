// The sigma-conditioned discriminator of inverse RL: trained with balanced binary cross-entropy
// between expert states (real data noised to sigma) and policy states, its logit estimates
// l(x, sigma) = log(rho_expert(x, sigma) / rho_policy(x, sigma)).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/optim/adam.h>

#include <memory>
#include <vector>

namespace irl {

class DiscriminatorImpl : public torch::nn::Module {
public:
    // sample_shape: [d] for vectors (an MLP) or [C, H, W] for images (a small CNN).
    explicit DiscriminatorImpl(std::vector<int64_t> sample_shape, int64_t width = 64);
    // x [N, *sample_shape], sigma [N] -> logits [N]
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& sigma);

private:
    torch::Tensor sigma_features(const torch::Tensor& sigma) const;

    std::vector<int64_t> shape_;
    bool images_;
    torch::Tensor frequencies_;
    torch::nn::Sequential trunk{nullptr};    // x -> features
    torch::nn::Sequential head{nullptr};     // [features, sigma features] -> logit
};
TORCH_MODULE(Discriminator);

struct DiscriminatorStats {
    double loss = 0.0;
    double accuracy = 0.0;  // fraction of states on the right side of logit 0
};

// One balanced binary cross-entropy step: expert states are labelled 1, policy states 0, each
// half of the loss weighted equally whatever the batch sizes.
DiscriminatorStats discriminator_step(Discriminator& model, torch::optim::Optimizer& optimizer, const torch::Tensor& expert,
                                      const torch::Tensor& expert_sigma, const torch::Tensor& policy,
                                      const torch::Tensor& policy_sigma);

}  // namespace irl
