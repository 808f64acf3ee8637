// Sample-quality metrics on feature vectors: Frechet distance and k-NN precision/recall
// (Kynkaanniemi et al. 2019), all in float64 and batched so that 10k x 10k stays in memory.
#pragma once

#include <torch/types.h>

#include <vector>

namespace irl {

// ||mu_a - mu_b||^2 + tr(S_a + S_b - 2 (S_a S_b)^(1/2)) of Gaussians fitted to features [N, d].
double frechet_distance(const torch::Tensor& features_a, const torch::Tensor& features_b);
// The same from means and covariances.
double frechet_distance(const torch::Tensor& mean_a, const torch::Tensor& cov_a, const torch::Tensor& mean_b,
                        const torch::Tensor& cov_b);

struct PrecisionRecall {
    double precision = 0.0;  // fraction of generated points inside the real manifold
    double recall = 0.0;     // fraction of real points inside the generated manifold
};
// Manifolds are unions of balls reaching each point's k-th nearest neighbour (itself excluded).
PrecisionRecall precision_recall(const torch::Tensor& real, const torch::Tensor& generated, int64_t k = 3);

// Unbiased squared maximum mean discrepancy with a Gaussian kernel exp(-|x - y|^2 / (2 h^2)),
// averaged over the bandwidths given (a multi-scale kernel), in float64.
double mmd_squared(const torch::Tensor& a, const torch::Tensor& b, const std::vector<double>& bandwidths);

}  // namespace irl
