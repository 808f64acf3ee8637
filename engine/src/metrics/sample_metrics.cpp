#include "irl/engine/metrics/sample_metrics.h"

#include <torch/torch.h>

#include <stdexcept>

namespace irl {
namespace {

constexpr int64_t kRowBlock = 1024;

torch::Tensor covariance(const torch::Tensor& x) {
    const torch::Tensor centred = x - x.mean(0);
    return centred.transpose(0, 1).matmul(centred) / static_cast<double>(x.size(0) - 1);
}

// Squared distances of rows of a block against all of b, in float64.
torch::Tensor squared_distances(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& b_norms) {
    const torch::Tensor a_norms = a.square().sum(1, true);
    return (a_norms + b_norms.unsqueeze(0) - 2.0 * a.matmul(b.transpose(0, 1))).clamp_min(0.0);
}

// Squared distance from each point to its k-th nearest neighbour in the same set (self excluded).
torch::Tensor kth_neighbour_radius(const torch::Tensor& x, int64_t k) {
    const torch::Tensor norms = x.square().sum(1);
    std::vector<torch::Tensor> radii;
    for (int64_t start = 0; start < x.size(0); start += kRowBlock) {
        const int64_t len = std::min(kRowBlock, x.size(0) - start);
        const torch::Tensor d = squared_distances(x.narrow(0, start, len), x, norms);
        // k + 1 smallest: the first is the point itself at distance 0.
        radii.push_back(std::get<0>(d.topk(k + 1, 1, /*largest=*/false)).select(1, k));
    }
    return torch::cat(radii);
}

// Fraction of `queries` within the radius of at least one point of `support`.
double coverage(const torch::Tensor& queries, const torch::Tensor& support, const torch::Tensor& radii) {
    const torch::Tensor norms = support.square().sum(1);
    int64_t inside = 0;
    for (int64_t start = 0; start < queries.size(0); start += kRowBlock) {
        const int64_t len = std::min(kRowBlock, queries.size(0) - start);
        const torch::Tensor d = squared_distances(queries.narrow(0, start, len), support, norms);
        inside += (d <= radii.unsqueeze(0)).any(1).sum().item<int64_t>();
    }
    return static_cast<double>(inside) / static_cast<double>(queries.size(0));
}

}  // namespace

double frechet_distance(const torch::Tensor& mean_a, const torch::Tensor& cov_a, const torch::Tensor& mean_b,
                        const torch::Tensor& cov_b) {
    // tr (S_a S_b)^(1/2) = sum sqrt(eig(S_a^(1/2) S_b S_a^(1/2))), a symmetric PSD product.
    auto [values_a, vectors_a] = torch::linalg::eigh(cov_a, "L");
    const torch::Tensor root_a = vectors_a.matmul(torch::diag(values_a.clamp_min(0.0).sqrt())).matmul(vectors_a.transpose(0, 1));
    torch::Tensor middle = root_a.matmul(cov_b).matmul(root_a);
    middle = 0.5 * (middle + middle.transpose(0, 1));
    const double trace_root = torch::linalg::eigvalsh(middle, "L").clamp_min(0.0).sqrt().sum().item<double>();
    const double mean_term = (mean_a - mean_b).square().sum().item<double>();
    return mean_term + cov_a.trace().item<double>() + cov_b.trace().item<double>() - 2.0 * trace_root;
}

double frechet_distance(const torch::Tensor& features_a, const torch::Tensor& features_b) {
    if (features_a.dim() != 2 || features_b.dim() != 2 || features_a.size(1) != features_b.size(1) ||
        features_a.size(0) < 2 || features_b.size(0) < 2)
        throw std::invalid_argument("frechet_distance: needs two [N, d] feature sets with N >= 2 and the same d");
    const torch::Tensor a = features_a.to(torch::kFloat64), b = features_b.to(torch::kFloat64);
    return frechet_distance(a.mean(0), covariance(a), b.mean(0), covariance(b));
}

PrecisionRecall precision_recall(const torch::Tensor& real, const torch::Tensor& generated, int64_t k) {
    if (real.size(0) <= k || generated.size(0) <= k)
        throw std::invalid_argument("precision_recall: each set needs more than k points");
    const torch::Tensor r = real.to(torch::kFloat64), g = generated.to(torch::kFloat64);
    PrecisionRecall out;
    out.precision = coverage(g, r, kth_neighbour_radius(r, k));
    out.recall = coverage(r, g, kth_neighbour_radius(g, k));
    return out;
}

double mmd_squared(const torch::Tensor& a_in, const torch::Tensor& b_in, const std::vector<double>& bandwidths) {
    const torch::Tensor a = a_in.to(torch::kFloat64).flatten(1), b = b_in.to(torch::kFloat64).flatten(1);
    const int64_t n = a.size(0), m = b.size(0);
    if (n < 2 || m < 2) throw std::invalid_argument("mmd_squared: each set needs at least 2 points");
    const torch::Tensor a_norms = a.square().sum(1), b_norms = b.square().sum(1);
    double total = 0.0;
    for (double h : bandwidths) {
        auto mean_kernel = [&](const torch::Tensor& x, const torch::Tensor& x_norms, const torch::Tensor& y,
                               const torch::Tensor& y_norms, bool same) {
            double sum = 0.0;
            for (int64_t start = 0; start < x.size(0); start += kRowBlock) {
                const int64_t len = std::min(kRowBlock, x.size(0) - start);
                const torch::Tensor d = squared_distances(x.narrow(0, start, len), y, y_norms);
                sum += (-d / (2.0 * h * h)).exp().sum().item<double>();
            }
            (void)x_norms;
            const double pairs = same ? double(x.size(0)) * double(x.size(0) - 1) : double(x.size(0)) * double(y.size(0));
            return same ? (sum - double(x.size(0))) / pairs : sum / pairs;  // drop the diagonal k(x, x) = 1
        };
        total += mean_kernel(a, a_norms, a, a_norms, true) + mean_kernel(b, b_norms, b, b_norms, true) -
                 2.0 * mean_kernel(a, a_norms, b, b_norms, false);
    }
    return total / static_cast<double>(bandwidths.size());
}

}  // namespace irl
