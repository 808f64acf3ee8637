// One step of each solver over the active samples of a batch, all per-sample vectorised.
// Internal to the sampler; the public entry point is irl::sample in sampler.h.
#pragma once

#include "guided_denoise.h"
#include "irl/engine/sampling/sampler.h"

#include <ATen/core/Generator.h>
#include <torch/types.h>

namespace irl::detail {

// Everything a step needs about the active samples (all [M] or [M, ...]).
struct StepInputs {
    torch::Tensor x;
    torch::Tensor sigma;       // float64
    torch::Tensor sigma_next;  // float64, 0 on the last level
    torch::Tensor labels;
    torch::Tensor index;       // positions in the full batch
    // log(query / sigma) of the level a step starts from and of the level it goes to (Heun's
    // correction), float64 [M]; undefined: the denoiser is called at the step's own sigma.
    torch::Tensor shift;
    torch::Tensor shift_next;
    StepControls controls;
};

struct StepOutputs {
    torch::Tensor x_next;
    torch::Tensor denoised;
};

// DPM-Solver++(2M) keeps the previous x0 estimate and log-sigma of every sample.
struct MultistepHistory {
    torch::Tensor denoised;     // [N, ...]
    torch::Tensor t_previous;   // [N] float64, -log sigma of the previous step
    torch::Tensor valid;        // [N] bool
};

class StepContext {
public:
    StepContext(GuidedDenoise& denoise, at::Generator& generator, const SamplerSettings& settings)
        : denoise_(denoise), generator_(generator), settings_(settings) {}

    StepOutputs euler_or_heun(const StepInputs& in, bool heun);
    StepOutputs dpm_solver_2m(const StepInputs& in, MultistepHistory& history);
    StepOutputs euler_ancestral(const StepInputs& in);
    StepOutputs gddim(const StepInputs& in);

    torch::Tensor noise_like(const torch::Tensor& x);

private:
    torch::Tensor denoise(const StepInputs& in, const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& shift);

    GuidedDenoise& denoise_;
    at::Generator& generator_;
    const SamplerSettings& settings_;
};

}  // namespace irl::detail
