#include "irl/engine/learning/dxmi/energy_value.h"

#include "irl/engine/core/random.h"

#include <torch/torch.h>

namespace irl {

EnergyNetImpl::EnergyNetImpl(int64_t dimension, int64_t width, uint64_t seed) {
    seeded_initialisation(seed, [&] {
        body = register_module("body", torch::nn::Sequential(torch::nn::Linear(dimension, width), torch::nn::SiLU(),
                                                             torch::nn::Linear(width, width), torch::nn::SiLU(),
                                                             torch::nn::Linear(width, 1)));
    });
}

torch::Tensor EnergyNetImpl::forward(const torch::Tensor& x) { return body->forward(x.to(torch::kFloat32)).squeeze(1); }

ValueNetImpl::ValueNetImpl(int64_t dimension, int64_t steps, int64_t width, uint64_t seed) {
    seeded_initialisation(seed, [&] {
        step_embedding = register_module("step_embedding", torch::nn::Embedding(steps, 16));
        body = register_module("body", torch::nn::Sequential(torch::nn::Linear(dimension + 16, width), torch::nn::SiLU(),
                                                             torch::nn::Linear(width, width), torch::nn::SiLU(),
                                                             torch::nn::Linear(width, 1)));
    });
}

torch::Tensor ValueNetImpl::forward(const torch::Tensor& x, const torch::Tensor& step) {
    return body->forward(torch::cat({x.to(torch::kFloat32), step_embedding(step)}, 1)).squeeze(1);
}

torch::Tensor energy_loss(const torch::Tensor& data_energy, const torch::Tensor& sample_energy, double gamma) {
    return data_energy.mean() - sample_energy.mean() + gamma * (data_energy.square().mean() + sample_energy.square().mean());
}

torch::Tensor step_cost(const torch::Tensor& x, const torch::Tensor& x_next, double beta, const torch::Tensor& log_s, double tau1,
                        double tau2) {
    const torch::Tensor squared = (x_next - x).flatten(1).square().sum(1);
    return tau2 * squared / (2.0 * beta) - tau1 * log_s.to(squared.scalar_type());
}

torch::Tensor td_target(const torch::Tensor& next_value, const torch::Tensor& x, const torch::Tensor& x_next, double beta,
                        const torch::Tensor& log_s, double tau1, double tau2) {
    return next_value.detach() + step_cost(x, x_next, beta, log_s.detach(), tau1, tau2).detach().to(next_value.scalar_type());
}

void StepScale::observe(const torch::Tensor& x, const torch::Tensor& x_next) {
    const double mean = (x_next - x).detach().flatten(1).square().sum(1).mean().item<double>();
    value = seen ? decay * value + (1.0 - decay) * mean : mean;
    seen = true;
}

}  // namespace irl
