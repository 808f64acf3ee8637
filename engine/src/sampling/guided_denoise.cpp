#include "guided_denoise.h"

#include <torch/torch.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace irl {

namespace {

// A denoiser call on a whole batch (10 000 images in `eval`) makes activations of hundreds of MB,
// which glibc maps fresh and unmaps on every call (see keep_freed_memory_for_reuse): calls of at
// most this many input values, 32 images of 28x28 for the bundled U-Net, keep each activation of
// such a model within the blocks the allocator reuses. Chosen by measurement (docs/performance.md).
constexpr int64_t kChunkElements = 32 * 28 * 28;

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
    if (guided.numel() == 0) {
        evaluations_.index_add_(0, index, torch::ones_like(index));
        return checked(denoise_in_chunks(x, sigma_x, labels), sigma, denoiser_);
    }
    // Conditional for all, unconditional for the guided ones, in one batched call.
    const torch::Tensor x_all = torch::cat({x, x.index_select(0, guided)});
    const torch::Tensor sigma_all = torch::cat({sigma_x, sigma_x.index_select(0, guided)});
    const torch::Tensor labels_all = torch::cat({labels, torch::full({guided.size(0)}, kUnconditional, labels.options())});
    const torch::Tensor denoised_all = checked(denoise_in_chunks(x_all, sigma_all, labels_all), sigma, denoiser_);
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

torch::Tensor GuidedDenoise::denoise_in_chunks(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& labels) {
    const int64_t n = x.size(0);
    const int64_t per_sample = n > 0 ? std::max<int64_t>(1, x.numel() / n) : 1;
    const int64_t chunk = std::max<int64_t>(1, kChunkElements / per_sample);
    if (n <= chunk) {
        ++calls_;
        return denoiser_.denoise(x, sigma, labels);
    }
    std::vector<torch::Tensor> parts;
    parts.reserve(static_cast<size_t>((n + chunk - 1) / chunk));
    for (int64_t start = 0; start < n; start += chunk) {
        if (cancel_ && start > 0) cancel_->throw_if_cancelled();
        const int64_t length = std::min(chunk, n - start);
        ++calls_;
        parts.push_back(denoiser_.denoise(x.narrow(0, start, length), sigma.narrow(0, start, length), labels.narrow(0, start, length)));
    }
    return torch::cat(parts);
}

}  // namespace irl
