#include "guided_denoise.h"

#include <torch/torch.h>

#include <stdexcept>

namespace irl {

namespace {

// A model that returns NaN or infinity would otherwise fill the samples with them, and a picture
// of NaNs is still written as an image: stop at the first such call, saying where.
torch::Tensor checked(const torch::Tensor& denoised, const torch::Tensor& sigma, const Denoiser& denoiser) {
    if (!torch::isfinite(denoised).all().item<bool>()) {
        const double at = sigma.numel() ? sigma.max().item<double>() : 0.0;
        throw std::runtime_error("the denoiser '" + denoiser.identity() + "' returned NaN or infinite values (at sigma " +
                                 std::to_string(at) + ")");
    }
    return denoised;
}

}  // namespace

torch::Tensor GuidedDenoise::operator()(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& labels,
                                        const torch::Tensor& guidance, const torch::Tensor& index) {
    if (cancel_) cancel_->throw_if_cancelled();
    const torch::Tensor sigma_x = sigma.to(x.scalar_type());
    const torch::Tensor guided = ((labels != kUnconditional) & (guidance != 1.0)).nonzero().squeeze(1);
    ++calls_;
    if (guided.numel() == 0) {
        evaluations_.index_add_(0, index, torch::ones_like(index));
        return checked(denoiser_.denoise(x, sigma_x, labels), sigma, denoiser_);
    }
    // Conditional for all, unconditional for the guided ones, in one batched call.
    const torch::Tensor x_all = torch::cat({x, x.index_select(0, guided)});
    const torch::Tensor sigma_all = torch::cat({sigma_x, sigma_x.index_select(0, guided)});
    const torch::Tensor labels_all = torch::cat({labels, torch::full({guided.size(0)}, kUnconditional, labels.options())});
    const torch::Tensor denoised_all = checked(denoiser_.denoise(x_all, sigma_all, labels_all), sigma, denoiser_);
    const int64_t m = x.size(0);
    torch::Tensor denoised = denoised_all.narrow(0, 0, m).clone();
    const torch::Tensor conditional = denoised.index_select(0, guided);
    const torch::Tensor unconditional = denoised_all.narrow(0, m, guided.size(0));
    const torch::Tensor w = per_sample(guidance.index_select(0, guided), conditional).to(x.scalar_type());
    denoised.index_copy_(0, guided, unconditional + w * (conditional - unconditional));

    torch::Tensor counts = torch::ones_like(index);
    counts.index_add_(0, guided, torch::ones_like(guided));
    evaluations_.index_add_(0, index, counts);
    return denoised;
}

}  // namespace irl
