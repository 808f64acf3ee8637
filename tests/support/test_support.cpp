#include "test_support.h"

#include "irl/engine/sampling/sampler.h"

namespace irl::test {
namespace {

torch::Tensor symmetric_power(const torch::Tensor& matrix, double power) {
    auto [values, vectors] = torch::linalg::eigh(matrix, "L");
    return vectors.matmul(torch::diag(values.clamp_min(0.0).pow(power))).matmul(vectors.transpose(0, 1));
}

}  // namespace

torch::Tensor sample_mean(const torch::Tensor& samples) {
    return samples.to(torch::kFloat64).mean(0);
}

torch::Tensor sample_covariance(const torch::Tensor& samples) {
    const torch::Tensor centred = samples.to(torch::kFloat64) - sample_mean(samples);
    return centred.transpose(0, 1).matmul(centred) / static_cast<double>(samples.size(0) - 1);
}

double relative_error(const torch::Tensor& a, const torch::Tensor& b) {
    return ((a - b).norm() / b.norm()).item<double>();
}

torch::Tensor gaussian_flow(const torch::Tensor& x, const torch::Tensor& mean, const torch::Tensor& covariance,
                            double sigma_from, double sigma_to) {
    const torch::Tensor eye = torch::eye(mean.size(0), torch::kFloat64);
    const torch::Tensor map = symmetric_power(covariance + sigma_to * sigma_to * eye, 0.5)
                                  .matmul(symmetric_power(covariance + sigma_from * sigma_from * eye, -0.5));
    return mean + (x.to(torch::kFloat64) - mean).matmul(map.transpose(0, 1));
}

SampleRequest float64_request(int64_t count, uint64_t seed) {
    SampleRequest r;
    r.count = count;
    r.seed = seed;
    r.dtype = torch::kFloat64;
    return r;
}

}  // namespace irl::test
