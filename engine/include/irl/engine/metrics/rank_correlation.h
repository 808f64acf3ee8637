// Spearman's rank correlation: Pearson's correlation of the ranks (ties get their mean rank).
#pragma once

#include <torch/types.h>

namespace irl {

// a and b: [N] (N >= 2) values of two scores on the same N items; NaN when either is constant.
double spearman_correlation(const torch::Tensor& a, const torch::Tensor& b);

}  // namespace irl
