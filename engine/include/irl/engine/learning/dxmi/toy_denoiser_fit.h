// DxMI on the toys fine-tunes a denoiser's weights, and the exact mixture denoiser has none: this
// fits a small MLP denoiser to a toy first (a few seconds), with EDM's loss on fresh samples of the
// mixture (Karras et al. 2022, Sec. 5: log-normal sigma, weight (sigma^2 + sigma_data^2) /
// (sigma sigma_data)^2), so that the method runs where the exact metrics exist.
#pragma once

#include "irl/engine/core/cancel.h"
#include "irl/engine/models/gaussian_mixture.h"
#include "irl/engine/models/mlp_denoiser.h"

#include <memory>
#include <string>

namespace irl {

struct MlpFitOptions {
    int64_t steps = 4000;
    int64_t batch = 512;
    double learning_rate = 3e-3;   // Adam, cosine decay to 0 over the steps
    double p_mean = -1.2, p_std = 1.2;  // ln(sigma) ~ N(p_mean, p_std^2)
    int64_t width = 64;
    uint64_t seed = 0;             // the initial weights and every batch
};

struct MlpFit {
    std::unique_ptr<MlpDenoiser> denoiser;
    double loss = 0.0;             // the weighted loss over the last tenth of the steps
    double seconds = 0.0;
};

// `name`: the toy's name, for the denoiser's identity ("mlp:<name>:seed<seed>"). Throws Cancelled
// when the token fires.
MlpFit fit_mlp_denoiser(const GaussianMixture& mixture, const std::string& name, const MlpFitOptions& options,
                        const CancelToken* cancel = nullptr);

}  // namespace irl
