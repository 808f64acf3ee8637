#include "irl/engine/models/gaussian_mixture.h"
#include "core/tensor_options.h"

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace irl {
namespace {

// Variances below this are treated as this: keeps 1/var finite for singular components at sigma = 0.
constexpr double kVarianceFloor = 1e-300;

std::string shape_string(const torch::Tensor& t) {
    std::string s = "[";
    for (int64_t i = 0; i < t.dim(); ++i) s += (i ? ", " : "") + std::to_string(t.size(i));
    return s + "]";
}

}  // namespace

GaussianMixture::GaussianMixture(torch::Tensor weights, torch::Tensor means, torch::Tensor covariances,
                                 torch::Tensor labels) {
    if (means.dim() != 2 || means.size(0) < 1 || means.size(1) < 1)
        throw std::invalid_argument("Gaussian mixture: means must be [K, d] with K, d >= 1, got " + shape_string(means));
    const int64_t k = means.size(0), d = means.size(1);
    if (weights.dim() != 1 || weights.size(0) != k)
        throw std::invalid_argument("Gaussian mixture: weights must be [" + std::to_string(k) + "], got " + shape_string(weights));
    if (covariances.dim() != 3 || covariances.size(0) != k || covariances.size(1) != d || covariances.size(2) != d)
        throw std::invalid_argument("Gaussian mixture: covariances must be [K, d, d], got " + shape_string(covariances));
    if (!labels.defined()) labels = torch::zeros({k}, torch::kInt64);
    if (labels.dim() != 1 || labels.size(0) != k)
        throw std::invalid_argument("Gaussian mixture: labels must be [" + std::to_string(k) + "], got " + shape_string(labels));

    weights_ = weights.to(torch::kFloat64);
    if ((weights_ < 0).any().item<bool>() || !(weights_.sum().item<double>() > 0.0) || !torch::isfinite(weights_).all().item<bool>())
        throw std::invalid_argument("Gaussian mixture: weights must be finite, non-negative and not all zero");
    weights_ = weights_ / weights_.sum();
    means_ = means.to(torch::kFloat64).contiguous();
    labels_ = labels.to(torch::kInt64).contiguous();
    if ((labels_ < 0).any().item<bool>())
        throw std::invalid_argument("Gaussian mixture: component labels must be >= 0");
    num_classes_ = labels_.max().item<int64_t>() + 1;

    covariances_ = covariances.to(torch::kFloat64);
    covariances_ = 0.5 * (covariances_ + covariances_.transpose(1, 2));
    auto [values, vectors] = torch::linalg::eigh(covariances_, "L");
    if ((values < -1e-9 * values.abs().max().clamp_min(1.0)).any().item<bool>())
        throw std::invalid_argument("Gaussian mixture: covariances must be positive semi-definite");
    eigenvalues_ = values.clamp_min(0.0).contiguous();
    eigenvectors_ = vectors.contiguous();
}

torch::Tensor GaussianMixture::class_weights(int64_t label) const {
    if (label < 0) return weights_;
    if (label >= num_classes_)
        throw std::invalid_argument("Gaussian mixture: class " + std::to_string(label) + " out of range 0.." +
                                    std::to_string(num_classes_ - 1));
    torch::Tensor w = weights_ * (labels_ == label).to(torch::kFloat64);
    return w / w.sum();
}

torch::Tensor GaussianMixture::sample(int64_t n, at::Generator& generator, int64_t label,
                                      torch::Tensor* labels_out) const {
    const torch::Tensor w = class_weights(label);
    const torch::Tensor component = at::multinomial(w, n, /*replacement=*/true, generator);
    const torch::Tensor z = at::normal(0.0, 1.0, {n, dimension()}, generator, kF64);
    // x = mu_k + U_k diag(sqrt(lambda_k)) z
    const torch::Tensor scaled = z * eigenvalues_.index_select(0, component).sqrt();
    const torch::Tensor rotated = torch::einsum("nde,ne->nd", {eigenvectors_.index_select(0, component), scaled});
    if (labels_out) *labels_out = labels_.index_select(0, component);
    return means_.index_select(0, component) + rotated;
}

torch::Tensor GaussianMixture::component_log_likelihood(const torch::Tensor& x, const torch::Tensor& sigma,
                                                        torch::Tensor* component_means) const {
    if (x.dim() != 2 || x.size(1) != dimension())
        throw std::invalid_argument("Gaussian mixture: x must be [N, " + std::to_string(dimension()) + "], got " + shape_string(x));
    const torch::Tensor x64 = x.to(torch::kFloat64);
    const torch::Tensor s2 = sigma.to(torch::kFloat64).reshape({-1, 1, 1}).square();
    const torch::Tensor diff = x64.unsqueeze(1) - means_.unsqueeze(0);                 // [N, K, d]
    const torch::Tensor rotated = torch::einsum("nkd,kde->nke", {diff, eigenvectors_});  // U^T (x - mu)
    const torch::Tensor variance = (eigenvalues_.unsqueeze(0) + s2).clamp_min(kVarianceFloor);  // [N, K, d]
    const torch::Tensor quadratic = (rotated.square() / variance).sum(-1);
    const torch::Tensor log_det = variance.log().sum(-1);
    if (component_means) {
        const torch::Tensor shrunk = rotated * (eigenvalues_.unsqueeze(0) / variance);
        *component_means = means_.unsqueeze(0) + torch::einsum("kde,nke->nkd", {eigenvectors_, shrunk});
    }
    return -0.5 * (quadratic + log_det + static_cast<double>(dimension()) * std::log(2.0 * M_PI));
}

torch::Tensor GaussianMixture::log_prior(const torch::Tensor& labels, int64_t n) const {
    torch::Tensor log_w = weights_.log().unsqueeze(0).expand({n, components()});
    if (!labels.defined()) return log_w;
    if (labels.dim() != 1 || labels.size(0) != n)
        throw std::invalid_argument("Gaussian mixture: labels must be [" + std::to_string(n) + "], got " + shape_string(labels));
    const torch::Tensor l = labels.to(torch::kInt64);
    if ((l >= num_classes_).any().item<bool>() || (l < -1).any().item<bool>())
        throw std::invalid_argument("Gaussian mixture: labels must be -1 (whole mixture) or 0.." + std::to_string(num_classes_ - 1));
    const torch::Tensor keep = (l.unsqueeze(1) < 0) | (l.unsqueeze(1) == labels_.unsqueeze(0));
    const torch::Tensor restricted = torch::where(keep, log_w, torch::full_like(log_w, -std::numeric_limits<double>::infinity()));
    // Renormalised within the class, so log_density is the class-conditional density log p(x | c).
    return restricted - torch::logsumexp(restricted, 1, /*keepdim=*/true);
}

torch::Tensor GaussianMixture::log_density(const torch::Tensor& x, const torch::Tensor& sigma,
                                           const torch::Tensor& labels) const {
    const torch::Tensor log_likelihood = component_log_likelihood(x, sigma, nullptr);
    return torch::logsumexp(log_likelihood + log_prior(labels, x.size(0)), 1);
}

torch::Tensor GaussianMixture::posterior_mean(const torch::Tensor& x, const torch::Tensor& sigma,
                                              const torch::Tensor& labels) const {
    torch::Tensor component_means;
    const torch::Tensor log_likelihood = component_log_likelihood(x, sigma, &component_means);
    // softmax is log-sum-exp normalised: no overflow at sigma = 0.002, no underflow to 0/0 far out.
    const torch::Tensor responsibility = torch::softmax(log_likelihood + log_prior(labels, x.size(0)), 1);
    return (responsibility.unsqueeze(-1) * component_means).sum(1);
}

torch::Tensor GaussianMixture::marginal_mean(int64_t label) const {
    return (class_weights(label).unsqueeze(1) * means_).sum(0);
}

torch::Tensor GaussianMixture::marginal_covariance(double sigma, int64_t label) const {
    const torch::Tensor w = class_weights(label);
    const torch::Tensor mean = marginal_mean(label);
    const torch::Tensor second = covariances_ + means_.unsqueeze(2) * means_.unsqueeze(1);
    torch::Tensor cov = (w.reshape({-1, 1, 1}) * second).sum(0) - mean.unsqueeze(1) * mean.unsqueeze(0);
    return cov + sigma * sigma * torch::eye(dimension(), kF64);
}

}  // namespace irl
