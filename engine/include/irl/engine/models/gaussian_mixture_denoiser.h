// The exact denoiser of a Gaussian mixture: D(x; sigma) = E[x0 | x] in closed form.
// Class-conditional through component labels; kUnconditional uses the whole mixture.
#pragma once

#include "irl/engine/models/denoiser.h"
#include "irl/engine/models/gaussian_mixture.h"

namespace irl {

class GaussianMixtureDenoiser : public Denoiser {
public:
    GaussianMixtureDenoiser(GaussianMixture mixture, std::string name = "gaussian-mixture");

    torch::Tensor denoise(const torch::Tensor& x, const torch::Tensor& sigma,
                          const torch::Tensor& labels) override;
    // The closed form is plain tensor arithmetic: the same function, differentiable in x and sigma.
    torch::Tensor denoise_with_gradients(const torch::Tensor& x, const torch::Tensor& sigma,
                                         const torch::Tensor& labels) override;
    bool gives_gradients() const override { return true; }
    std::vector<int64_t> sample_shape() const override { return {mixture_.dimension()}; }
    int64_t num_classes() const override { return mixture_.num_classes(); }
    double sigma_data() const override;
    std::string identity() const override { return name_; }

    const GaussianMixture& mixture() const { return mixture_; }

private:
    GaussianMixture mixture_;
    std::string name_;
};

}  // namespace irl
