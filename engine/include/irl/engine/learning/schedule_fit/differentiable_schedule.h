// A schedule whose noise levels are learned (LD3-style, Tong et al., ICLR 2025): the levels
// sigma_1 > ... > sigma_N > 0 come from unconstrained parameters, each step may query the
// denoiser at a shifted level sigma_i e^{xi_i}, and the deterministic solvers run through them
// with gradients, to the levels, the shifts and the start noise.
#pragma once

#include "irl/engine/sampling/solver.h"

#include <torch/types.h>
#include <cstdint>
#include <vector>

namespace irl {

class Denoiser;

// Levels from unconstrained parameters: log(sigma_1 / sigma_floor) = exp(span), and
// softmax(logits) shares that span out: level i+1 lies share_i of it below level i, and the last
// share is what remains between sigma_N and the floor. So every parameter value gives a strictly
// descending list above the floor (in exact arithmetic: in doubles, a span beyond about e^6
// overflows sigma_1, and a share below about 1e-16 rounds two levels together; a fit from a classic
// warm start stays far from both); sigma_max = sigma_1 is learned with the rest.
class DifferentiableSchedule {
public:
    // Starts at `sigmas` (descending, positive, a trailing 0 allowed). The floor is below the last
    // level: min(1e-3, sigma_N / 2). With `shifts` the query shifts are parameters too (from 0).
    // Throws std::invalid_argument for a list that is not strictly descending and positive.
    static DifferentiableSchedule from_sigmas(const std::vector<double>& sigmas, bool shifts);

    // A copy has parameters of its own (tensors would otherwise be shared).
    DifferentiableSchedule(const DifferentiableSchedule& other);
    DifferentiableSchedule& operator=(const DifferentiableSchedule& other);
    DifferentiableSchedule(DifferentiableSchedule&&) = default;
    DifferentiableSchedule& operator=(DifferentiableSchedule&&) = default;

    int64_t levels() const { return logits_.size(0); }
    bool has_shifts() const { return shifts_learned_; }
    // [N + 1] float64, descending, ending at 0; differentiable in the parameters.
    torch::Tensor sigmas() const;
    // [N] float64: the level each step's denoiser call is made at, sigma_i e^{xi_i}.
    torch::Tensor query_sigmas() const;
    // The learned tensors (span, logits, and the shifts when learned), for an optimiser.
    std::vector<torch::Tensor> parameters() const;
    // The values now, for files, reports and the sampler.
    std::vector<double> sigma_list() const;
    std::vector<double> query_list() const;
    double floor() const { return floor_; }

    // The raw parameters, for checkpoints: [span, logits..., shifts...] as one float64 vector.
    torch::Tensor state() const;
    void load_state(const torch::Tensor& state);  // throws std::invalid_argument when the size differs

private:
    DifferentiableSchedule(double floor, torch::Tensor span, torch::Tensor logits, torch::Tensor shifts, bool shifts_learned);
    double floor_;
    torch::Tensor span_;    // scalar: log(log(sigma_1 / floor))
    torch::Tensor logits_;  // [N]
    torch::Tensor shifts_;  // [N], zeros and not learned without shifts
    bool shifts_learned_;
};

// Function evaluations of N levels with `solver` and no guidance (Heun corrects on all but the
// step to 0), and the levels that give `nfe` evaluations; throws std::invalid_argument when no
// N does (Heun needs an odd NFE) or the solver is not deterministic.
int64_t schedule_fit_nfe(Solver solver, int64_t levels);
int64_t schedule_fit_levels(Solver solver, int64_t nfe);

// Runs Euler, Heun or DPM-Solver++(2M) from x_start (already at sigmas[0]) down `sigmas`, calling
// denoiser.denoise_with_gradients at query_sigmas[i] on the step from level i (Heun's correction at
// query_sigmas[i + 1]). Returns the final sample, with gradients to everything that has them.
// sigmas: [N + 1] ending at 0; query_sigmas: [N]; labels: [count] (kUnconditional allowed).
torch::Tensor solve_with_gradients(Denoiser& denoiser, Solver solver, const torch::Tensor& sigmas,
                                   const torch::Tensor& query_sigmas, const torch::Tensor& x_start,
                                   const torch::Tensor& labels);

}  // namespace irl
