// Tensor options the engine's sources share (private to the engine).
#pragma once

#include <torch/types.h>

namespace irl {

// float64 tensors: densities, schedules and statistics are computed in double precision.
inline const torch::TensorOptions kF64 = torch::TensorOptions().dtype(torch::kFloat64);

}  // namespace irl
