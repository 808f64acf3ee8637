#include "irl/engine/models/gaussian_mixture_denoiser.h"

#include <torch/torch.h>

#include <cmath>

namespace irl {

GaussianMixtureDenoiser::GaussianMixtureDenoiser(GaussianMixture mixture, std::string name)
    : mixture_(std::move(mixture)), name_(std::move(name)) {}

torch::Tensor GaussianMixtureDenoiser::denoise(const torch::Tensor& x, const torch::Tensor& sigma,
                                               const torch::Tensor& labels) {
    const torch::Tensor flat = x.reshape({x.size(0), -1});
    return mixture_.posterior_mean(flat, sigma, labels).to(x.scalar_type()).reshape(x.sizes());
}

torch::Tensor GaussianMixtureDenoiser::denoise_with_gradients(const torch::Tensor& x, const torch::Tensor& sigma,
                                                              const torch::Tensor& labels) {
    return denoise(x, sigma, labels);
}

double GaussianMixtureDenoiser::sigma_data() const {
    // Root-mean-square standard deviation of the clean data, the sigma_data of EDM.
    const torch::Tensor cov = mixture_.marginal_covariance(0.0);
    return std::sqrt(cov.diagonal().mean().item<double>());
}

}  // namespace irl
