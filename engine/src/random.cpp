#include "irl/engine/random.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

namespace irl {

at::Generator make_generator(uint64_t seed) {
    return at::make_generator<at::CPUGeneratorImpl>(seed);
}

torch::Tensor standard_normal(at::IntArrayRef shape, at::Generator& generator, torch::Dtype dtype) {
    // Draw in float64 and convert, so that a seed gives the same noise whatever the dtype.
    return at::normal(0.0, 1.0, shape, generator, torch::TensorOptions().dtype(torch::kFloat64)).to(dtype);
}

}  // namespace irl
