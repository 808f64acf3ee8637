// Seeded random generators so that every run is reproducible from its seed alone.
// Engine code never draws from LibTorch's global generator.
#pragma once

#include <torch/types.h>
#include <ATen/core/Generator.h>
#include <cstdint>
#include <functional>

namespace irl {

at::Generator make_generator(uint64_t seed);

// Standard normal noise of the given shape, drawn from `generator`.
torch::Tensor standard_normal(at::IntArrayRef shape, at::Generator& generator,
                              torch::Dtype dtype = torch::kFloat32);

// Runs `build` with LibTorch's global generator seeded to `seed`, then puts the generator's
// previous state back. LibTorch's modules draw their initial weights from the global generator;
// building them inside this makes those weights a function of `seed` alone, also in a long-lived
// process (the studio) where earlier work has advanced the global generator. Calls are
// serialised; engine code draws nothing else from the global generator.
void seeded_initialisation(uint64_t seed, const std::function<void()>& build);

}  // namespace irl
