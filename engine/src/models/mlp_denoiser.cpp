#include "irl/engine/models/mlp_denoiser.h"

#include "irl/engine/core/random.h"

#include <torch/torch.h>

#include <cmath>

namespace irl {
namespace {
constexpr int64_t kNoiseFeatures = 16;
}

MlpDenoiserNetImpl::MlpDenoiserNetImpl(int64_t dimension, int64_t width, uint64_t seed) {
    frequencies = register_buffer("frequencies", torch::exp(torch::linspace(std::log(0.5), std::log(16.0), kNoiseFeatures / 2)));
    seeded_initialisation(seed, [&] {
        body = register_module("body", torch::nn::Sequential(torch::nn::Linear(dimension + kNoiseFeatures, width), torch::nn::SiLU(),
                                                             torch::nn::Linear(width, width), torch::nn::SiLU(),
                                                             torch::nn::Linear(width, width), torch::nn::SiLU(),
                                                             torch::nn::Linear(width, dimension)));
    });
}

torch::Tensor MlpDenoiserNetImpl::forward(const torch::Tensor& scaled_x, const torch::Tensor& c_noise) {
    const torch::Tensor angles = c_noise.to(scaled_x.scalar_type()).unsqueeze(1) * frequencies.to(scaled_x.scalar_type()).unsqueeze(0);
    return body->forward(torch::cat({scaled_x, angles.sin(), angles.cos()}, 1));
}

MlpDenoiser::MlpDenoiser(int64_t dimension, double sigma_data, std::string identity, int64_t width, uint64_t seed)
    : dimension_(dimension), width_(width), sigma_data_(sigma_data), identity_(std::move(identity)), network_(dimension, width, seed) {}

torch::Tensor MlpDenoiser::train_forward(const torch::Tensor& x, const torch::Tensor& sigma) {
    // The network runs in float32; the result comes back in x's dtype.
    const torch::Tensor xf = x.to(torch::kFloat32);
    const EdmScaling s = EdmScaling::at(sigma.to(torch::kFloat32), sigma_data_);
    const torch::Tensor f = network_->forward(xf * s.c_in.unsqueeze(1), s.c_noise);
    return (s.c_skip.unsqueeze(1) * xf + s.c_out.unsqueeze(1) * f).to(x.scalar_type());
}

torch::Tensor MlpDenoiser::denoise(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor&) {
    torch::InferenceMode inference;
    return train_forward(x, sigma);
}

torch::Tensor MlpDenoiser::denoise_with_gradients(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor&) {
    std::vector<bool> wanted;
    for (torch::Tensor& p : network_->parameters()) wanted.push_back(p.requires_grad()), p.requires_grad_(false);
    torch::Tensor out = train_forward(x, sigma);
    size_t i = 0;
    for (torch::Tensor& p : network_->parameters()) p.requires_grad_(wanted[i++]);
    return out;
}

}  // namespace irl
