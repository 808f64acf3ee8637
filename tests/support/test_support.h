// Shared helpers for the engine tests: closed-form Gaussian facts and sample statistics.
// Kept tiny; each test states its own expectations.
#pragma once

#include <torch/torch.h>

namespace irl {
struct SampleRequest;  // irl/engine/sampling/sampler.h
}  // namespace irl

namespace irl::test {

// Empirical mean [d] and covariance [d, d] of samples [N, d] (float64).
torch::Tensor sample_mean(const torch::Tensor& samples);
torch::Tensor sample_covariance(const torch::Tensor& samples);
// ||a - b||_F / ||b||_F
double relative_error(const torch::Tensor& a, const torch::Tensor& b);

// Exact solution of the probability-flow ODE for Gaussian data N(mu, S): the state at sigma_to
// of the trajectory through x at sigma_from: mu + (S + to^2)^(1/2) (S + from^2)^(-1/2) (x - mu).
torch::Tensor gaussian_flow(const torch::Tensor& x, const torch::Tensor& mean, const torch::Tensor& covariance,
                            double sigma_from, double sigma_to);

// A float64 sampling request for `count` samples from `seed`: exact-denoiser tests want float64.
SampleRequest float64_request(int64_t count, uint64_t seed);

}  // namespace irl::test
