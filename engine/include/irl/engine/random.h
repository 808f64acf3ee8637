// Seeded random generators so that every run is reproducible from its seed alone.
// Engine code never draws from LibTorch's global generator.
#pragma once

#include <torch/types.h>
#include <ATen/core/Generator.h>
#include <cstdint>

namespace irl {

at::Generator make_generator(uint64_t seed);

// Standard normal noise of the given shape, drawn from `generator`.
torch::Tensor standard_normal(at::IntArrayRef shape, at::Generator& generator,
                              torch::Dtype dtype = torch::kFloat32);

}  // namespace irl
