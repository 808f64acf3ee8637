#include "guided_denoise.h"

#include <torch/torch.h>

namespace irl {

torch::Tensor GuidedDenoise::operator()(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& labels,
                                        const torch::Tensor& guidance, const torch::Tensor& index) {
    if (cancel_) cancel_->throw_if_cancelled();
    const torch::Tensor sigma_x = sigma.to(x.scalar_type());
    const torch::Tensor guided = ((labels != kUnconditional) & (guidance != 1.0)).nonzero().squeeze(1);
    ++calls_;
    if (guided.numel() == 0) {
        evaluations_.index_add_(0, index, torch::ones_like(index));
        return denoiser_.denoise(x, sigma_x, labels);
    }
    // Conditional for all, unconditional for the guided ones, in one batched call.
    const torch::Tensor x_all = torch::cat({x, x.index_select(0, guided)});
    const torch::Tensor sigma_all = torch::cat({sigma_x, sigma_x.index_select(0, guided)});
    const torch::Tensor labels_all = torch::cat({labels, torch::full({guided.size(0)}, kUnconditional, labels.options())});
    const torch::Tensor denoised_all = denoiser_.denoise(x_all, sigma_all, labels_all);
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
