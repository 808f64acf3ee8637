#include "irl/engine/metrics/rank_correlation.h"

#include <torch/torch.h>

#include <limits>
#include <stdexcept>

namespace irl {
namespace {

// Ranks 0..N-1, each run of equal values given the mean of its ranks.
torch::Tensor ranks(const torch::Tensor& values) {
    const torch::Tensor v = values.to(torch::kFloat64).contiguous();
    const torch::Tensor order = torch::argsort(v);
    const torch::Tensor sorted = v.index_select(0, order).contiguous();
    const int64_t n = v.numel();
    std::vector<double> rank_of_sorted(static_cast<size_t>(n));
    const double* s = sorted.data_ptr<double>();
    for (int64_t i = 0; i < n;) {
        int64_t j = i;
        while (j + 1 < n && s[j + 1] == s[i]) ++j;
        for (int64_t k = i; k <= j; ++k) rank_of_sorted[static_cast<size_t>(k)] = 0.5 * double(i + j);
        i = j + 1;
    }
    torch::Tensor out = torch::empty({n}, torch::kFloat64);
    out.index_put_({order}, torch::tensor(rank_of_sorted, torch::kFloat64));
    return out;
}

}  // namespace

double spearman_correlation(const torch::Tensor& a, const torch::Tensor& b) {
    if (a.dim() != 1 || b.dim() != 1 || a.numel() != b.numel() || a.numel() < 2)
        throw std::invalid_argument("Spearman's correlation needs two score lists of the same length, at least 2");
    // A score that is not a number (a diverged energy) has no rank.
    if (!torch::isfinite(a).all().item<bool>() || !torch::isfinite(b).all().item<bool>()) return std::numeric_limits<double>::quiet_NaN();
    const torch::Tensor ra = ranks(a) - (double(a.numel()) - 1.0) / 2.0, rb = ranks(b) - (double(b.numel()) - 1.0) / 2.0;
    const double norm = (ra.square().sum() * rb.square().sum()).sqrt().item<double>();
    if (!(norm > 0.0)) return std::numeric_limits<double>::quiet_NaN();
    return (ra * rb).sum().item<double>() / norm;
}

}  // namespace irl
