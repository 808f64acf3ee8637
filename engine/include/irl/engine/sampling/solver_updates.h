// The deterministic updates of the solvers as plain tensor arithmetic over per-sample noise
// levels, written once: the sampler's steps use them, and the schedule fit differentiates
// through them (gradients reach x, the denoised estimates and the levels alike).
// x and denoised: [N, ...]; sigma, sigma_next and the weights: [N], of any floating type.
#pragma once

#include <torch/types.h>

namespace irl {

// The probability-flow ODE's slope in sigma, dx/dsigma = (x - D) / sigma (EDM, Karras et al. 2022,
// Eq. 3 with sigma(t) = t).
torch::Tensor ode_slope(const torch::Tensor& x, const torch::Tensor& denoised, const torch::Tensor& sigma);

// x + (sigma_next - sigma) slope: Euler's step with one slope, Heun's with the mean of two.
torch::Tensor euler_move(const torch::Tensor& x, const torch::Tensor& slope, const torch::Tensor& sigma,
                         const torch::Tensor& sigma_next);

// DPM-Solver++(2M) (Lu et al. 2022) in sigma form:
// x_next = (sigma_next / sigma) x + (1 - sigma_next / sigma) ((1 + k) D - k D_previous), where
// k = 1 / (2r), r = h_previous / h and h = log(sigma / sigma_next); k = 0 (D itself) on a first step
// and on the step to sigma = 0.
torch::Tensor dpm_solver_2m_move(const torch::Tensor& x, const torch::Tensor& denoised, const torch::Tensor& previous,
                                 const torch::Tensor& k, const torch::Tensor& sigma, const torch::Tensor& sigma_next);

}  // namespace irl
