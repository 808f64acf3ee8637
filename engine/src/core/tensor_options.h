// Tensor options the engine's sources share (private to the engine).
#pragma once

#include <torch/types.h>

#include <vector>

namespace irl {

// float64 tensors: densities, schedules and statistics are computed in double precision.
inline const torch::TensorOptions kF64 = torch::TensorOptions().dtype(torch::kFloat64);

// The values of a tensor of any floating type and shape, in order, as doubles (for files, reports
// and settings); without its autograd graph.
inline std::vector<double> to_double_list(const torch::Tensor& values) {
    const torch::Tensor v = values.detach().to(torch::kFloat64).contiguous().reshape({-1});
    return std::vector<double>(v.data_ptr<double>(), v.data_ptr<double>() + v.numel());
}

}  // namespace irl
