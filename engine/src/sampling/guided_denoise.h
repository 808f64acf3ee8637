// Classifier-free guided denoising with exact function-evaluation accounting and cancel checks.
// Internal to the sampler: every denoiser call of a sampling run goes through here.
#pragma once

#include "irl/engine/core/cancel.h"
#include "irl/engine/models/denoiser.h"

#include <torch/types.h>

namespace irl {

class GuidedDenoise {
public:
    GuidedDenoise(Denoiser& denoiser, const CancelToken* cancel, torch::Tensor& evaluations)
        : denoiser_(denoiser), cancel_(cancel), evaluations_(evaluations) {}

    // x: [M, ...] at noise levels sigma [M]; labels [M]; guidance [M] float64;
    // index [M] positions of these samples in the batch, whose evaluation counters grow by
    // one, or by two where guidance != 1 needs the unconditional model as well.
    torch::Tensor operator()(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& labels,
                             const torch::Tensor& guidance, const torch::Tensor& index);

    // Calls made to the denoiser itself (a batch larger than a chunk takes several).
    int64_t calls() const { return calls_; }

private:
    // The denoiser on at most kChunkElements input values per call (docs/performance.md), the
    // cancel token checked between calls.
    torch::Tensor denoise_in_chunks(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& labels);

    Denoiser& denoiser_;
    const CancelToken* cancel_;
    torch::Tensor& evaluations_;
    int64_t calls_ = 0;
};

}  // namespace irl
