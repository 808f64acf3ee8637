// A Gaussian mixture in any dimension, with exact noised marginals p_sigma = sum_k w_k N(mu_k, S_k + sigma^2 I).
// It is the ground truth for tests and the toy data set: exact samples, densities and posteriors.
#pragma once

#include <torch/types.h>
#include <ATen/core/Generator.h>
#include <cstdint>
#include <vector>

namespace irl {

class GaussianMixture {
public:
    // weights: [K] (normalised here), means: [K, d], covariances: [K, d, d] symmetric
    // positive semi-definite, labels: [K] int64 class of each component (>= 0).
    GaussianMixture(torch::Tensor weights, torch::Tensor means, torch::Tensor covariances,
                    torch::Tensor labels);

    int64_t dimension() const { return means_.size(1); }
    int64_t components() const { return means_.size(0); }
    // Classes are 0..num_classes()-1, taken from the component labels.
    int64_t num_classes() const { return num_classes_; }
    const torch::Tensor& weights() const { return weights_; }
    const torch::Tensor& means() const { return means_; }
    const torch::Tensor& covariances() const { return covariances_; }
    const torch::Tensor& labels() const { return labels_; }

    // Exact draws of clean data; label >= 0 restricts to that class. Returns float64 [n, d]
    // and, through component_out when given, the component index of each draw.
    torch::Tensor sample(int64_t n, at::Generator& generator, int64_t label = -1,
                         torch::Tensor* labels_out = nullptr) const;

    // log p_sigma(x) of the data convolved with N(0, sigma^2 I); x: [N, d], sigma: [N].
    // labels: optional [N] class restriction per sample (-1 = whole mixture).
    torch::Tensor log_density(const torch::Tensor& x, const torch::Tensor& sigma,
                              const torch::Tensor& labels = {}) const;

    // E[x0 | x_sigma = x] in closed form, computed in float64; labels as in log_density.
    torch::Tensor posterior_mean(const torch::Tensor& x, const torch::Tensor& sigma,
                                 const torch::Tensor& labels = {}) const;

    // Exact mean [d] and covariance [d, d] of p_sigma (optionally of one class).
    torch::Tensor marginal_mean(int64_t label = -1) const;
    torch::Tensor marginal_covariance(double sigma, int64_t label = -1) const;

private:
    // Per component: log N(x; mu_k, S_k + sigma^2 I) [N, K] and, when wanted, the component
    // posterior means [N, K, d].
    torch::Tensor component_log_likelihood(const torch::Tensor& x, const torch::Tensor& sigma,
                                           torch::Tensor* component_means) const;
    torch::Tensor log_prior(const torch::Tensor& labels, int64_t n) const;
    torch::Tensor class_weights(int64_t label) const;

    torch::Tensor weights_;       // [K] float64
    torch::Tensor means_;         // [K, d]
    torch::Tensor covariances_;   // [K, d, d]
    torch::Tensor labels_;        // [K] int64
    torch::Tensor eigenvalues_;   // [K, d], clamped at 0
    torch::Tensor eigenvectors_;  // [K, d, d], columns
    int64_t num_classes_ = 0;
};

}  // namespace irl
