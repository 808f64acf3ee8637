// The per-step control a policy sets: guidance scale w, churn gamma, gDDIM stochasticity (the
// lambda of the gDDIM step), renoise k, the skip to the next noise level, a nudge of that next
// level and, at the first step, the level to start from. A fixed control for every step is a classic sampler.
#pragma once

#include <torch/types.h>
#include <cstdint>
#include <functional>

namespace irl {

// One choice for every sample of a batch.
struct StepControl {
    double guidance = 1.0;  // CFG scale w: D_w = D(x;s,null) + w (D(x;s,c) - D(x;s,null))
    double churn = 0.0;     // gamma: raise sigma to sigma (1 + gamma) with fresh noise (EDM Alg. 2)
    double stochasticity = 0.0;  // gDDIM lambda: 0 = DDIM/Euler, 1 = ancestral
    int64_t renoise = 0;    // jump back up this many levels of the schedule before stepping
    int64_t skip = 1;       // step down this many levels of the schedule (1: the next level)
    // At the first step only: start from the highest level whose sigma is at most this (the
    // noise is scaled down, no function evaluation); 0 starts from the schedule's first level.
    double start = 0.0;
    // The next level's sigma times this (1: the schedule's own), kept at most half-way in log sigma
    // to either neighbour (the last nonzero level at most halves); never on a step to sigma = 0.
    double next = 1.0;
};

// Per-sample controls, each a [N] tensor (float64; renoise and skip int64) over the active samples.
struct StepControls {
    torch::Tensor guidance;
    torch::Tensor churn;
    torch::Tensor stochasticity;
    torch::Tensor renoise;
    torch::Tensor skip;
    torch::Tensor start;
    torch::Tensor next;

    static StepControls broadcast(const StepControl& control, int64_t n);
};

// What a policy sees before choosing: the current states of the active samples.
struct StepState {
    int64_t iteration = 0;       // how many steps the batch has taken so far
    int64_t levels = 0;          // nonzero levels in the schedule
    torch::Tensor x;             // [M, ...] current states of the active samples
    torch::Tensor sigma;         // [M] their noise levels
    torch::Tensor level;         // [M] int64 index into the schedule
    torch::Tensor labels;        // [M] int64
    torch::Tensor denoised;      // [M, ...] last x0 estimate (zeros before the first step)
    torch::Tensor active_index;  // [M] int64 positions of these samples in the full batch
    // With a budget of function evaluations (SamplerSettings::budget): what is left of it before
    // this step [M] int64, and whether this step must be the last one (to sigma = 0) because a
    // further step could not be paid for [M] bool. Without a budget: -1 and false.
    torch::Tensor remaining;
    torch::Tensor must_finish;
    torch::Tensor previous_log_step;  // [M] float64 log(sigma before / sigma now) of the previous step, 0 at the first
    torch::Tensor evaluations;   // [M] int64 function evaluations spent so far
};

// Returns the controls for the active samples of a step. `fixed` is what the sampler would do
// on its own at this step (the EDM churn rule included), so a policy can start from it.
using ControlFunction = std::function<StepControls(const StepState& state, const StepControls& fixed)>;

}  // namespace irl
