// Samplers over a denoiser and a sigma list: Euler, Heun (EDM Alg. 2 with churn),
// DPM-Solver++(2M), Euler ancestral and the gDDIM step, each step under a per-sample control.
// What needs no tensor (the solver names, the churn rule, budgets) is in solver.h.
#pragma once

#include "irl/engine/core/cancel.h"
#include "irl/engine/models/denoiser.h"
#include "irl/engine/sampling/solver.h"
#include "irl/engine/sampling/step_control.h"

#include <torch/types.h>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace irl {

// What the step callback shows: the batch after `iteration` steps.
struct StepPreview {
    int64_t iteration = 0;
    int64_t total_levels = 0;  // nonzero levels in the schedule
    torch::Tensor x;           // [N, ...] states of all samples
    torch::Tensor denoised;    // [N, ...] latest x0 estimate of each sample
    torch::Tensor sigma;       // [N] current noise level of each sample
    bool last = false;
    // How far the run is, 0..1, for a progress bar: the samples' mean share of the schedule done
    // (or of the budget spent, when that is further), never going back; 1 at the last step.
    // iteration / total_levels is not: skips end a run early and renoise makes it longer.
    double progress = 0.0;
};
using StepCallback = std::function<void(const StepPreview&)>;

struct SamplerSettings {
    Solver solver = Solver::Heun;
    std::vector<double> sigmas;  // descending, ending at 0
    // Optional, one per nonzero level: where a step from that level calls the denoiser (a learned
    // schedule's query levels, learned_schedule_file.h); a step at another sigma of that level
    // (churn) keeps the same ratio. Empty: at the level itself.
    std::vector<double> query_sigmas;
    StepControl fixed;           // the control of every step when no policy is given
    // EDM's S_churn rule, which gives Euler and Heun a churn gamma per level when fixed.churn
    // (the gamma itself) is 0.
    EdmChurnRule churn_rule;
    double ancestral_eta = 1.0;  // Euler ancestral: 1 = full ancestral noise
    int64_t renoise_cap = -1;    // most schedule levels one trajectory may jump back in total; -1: the number of levels
    // Most function evaluations one trajectory may spend; kNoBudget: none. With a budget a step
    // goes to sigma = 0 as soon as a further step and a last one could not both be paid for, so
    // no trajectory ever spends more (schedules that skip levels then end where the budget does).
    int64_t budget = kNoBudget;
    ControlFunction control;     // optional per-step policy
};

struct SampleRequest {
    int64_t count = 16;
    torch::Tensor labels;                   // [count] int64; empty = all unconditional
    uint64_t seed = 0;
    torch::Dtype dtype = torch::kFloat32;
    std::optional<torch::Tensor> initial;   // x at sigmas[0]; default sigma_max * N(0, I)
    const CancelToken* cancel = nullptr;    // checked before every denoiser call
    StepCallback on_step;                   // optional preview callback
    int64_t preview_interval_ms = 0;        // throttle; the last step is always reported
    bool record_path = false;               // fill SampleResult::path
    // Start from a picture (image-to-image, as SDEdit does): [count or 1, *sample_shape], noised
    // to start_sigma at the first step instead of starting from pure noise. The start snaps to the
    // highest schedule level at or below start_sigma (< 0: the first level); the levels above it
    // are never visited and cost nothing. A policy's Start action may only choose levels at or
    // below it. start_sigma 0 returns the picture itself, without a function evaluation.
    std::optional<torch::Tensor> start_image;
    double start_sigma = -1.0;
};

struct SampleResult {
    torch::Tensor samples;          // [count, ...]
    torch::Tensor evaluations;      // [count] int64 function evaluations per sample
    double nfe = 0.0;               // mean function evaluations per sample (CFG with w != 1 counts 2)
    int64_t denoiser_calls = 0;     // batched calls to the denoiser
    int64_t iterations = 0;
    double seconds = 0.0;
    // With record_path: [iterations, count] float64, the sigma each sample's step started from
    // (after a start or a renoise), NaN once the sample has finished. The schedule it took.
    torch::Tensor path;
};

// The schedule one sample took (from SampleResult::path): the sigma of each of its steps, then 0.
std::vector<double> schedule_taken(const torch::Tensor& path, int64_t sample);

// The start σ of a strength s in [0, 1] (ComfyUI's "denoise"): the schedule's level at fraction s
// of the way from its lowest nonzero level (s = 0) to its highest (s = 1), counted in levels, so
// in the schedule's own spacing (Karras's ρ, a learned list); between levels, the nearer one.
double strength_to_sigma(const std::vector<double>& sigmas, double strength);

// Labels that ask every class in turn, 0, 1, ..., classes-1, 0, ...: [count] int64.
torch::Tensor classes_in_turn(int64_t count, int64_t classes);

// Runs the sampler from sigmas[0] to 0. Throws Cancelled when the token fires, and
// std::invalid_argument for inconsistent settings (labels for an unconditional model, ...).
SampleResult sample(Denoiser& denoiser, const SamplerSettings& settings, const SampleRequest& request);

// The churn gamma EDM's rule gives at level `level` of a schedule with `levels` nonzero sigmas.
double edm_churn_gamma(const EdmChurnRule& rule, double sigma, int64_t levels);

// One gDDIM step with stochasticity lambda (EDM form, r = sigma_next / sigma):
// x_next = D + r^(1+lambda^2) (x - D) + sigma_next sqrt(1 - r^(2 lambda^2)) z.
// All of sigma, sigma_next, lambda are [N]; noise has x's shape.
torch::Tensor gddim_step(const torch::Tensor& x, const torch::Tensor& denoised, const torch::Tensor& sigma,
                         const torch::Tensor& sigma_next, const torch::Tensor& lambda,
                         const torch::Tensor& noise);

}  // namespace irl
