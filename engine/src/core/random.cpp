#include "irl/engine/core/random.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <mutex>

namespace irl {

at::Generator make_generator(uint64_t seed) {
    return at::make_generator<at::CPUGeneratorImpl>(seed);
}

torch::Tensor standard_normal(at::IntArrayRef shape, at::Generator& generator, torch::Dtype dtype) {
    // Draw in float64 and convert, so that a seed gives the same noise whatever the dtype.
    return at::normal(0.0, 1.0, shape, generator, torch::TensorOptions().dtype(torch::kFloat64)).to(dtype);
}

void seeded_initialisation(uint64_t seed, const std::function<void()>& build) {
    static std::mutex serial;
    std::lock_guard<std::mutex> lock(serial);
    at::Generator global = at::detail::getDefaultCPUGenerator();
    at::Tensor saved;
    {
        std::lock_guard<std::mutex> guard(global.mutex());
        saved = global.get_state();
        global.set_current_seed(seed);
    }
    auto restore = [&] {
        std::lock_guard<std::mutex> guard(global.mutex());
        global.set_state(saved);
    };
    try {
        build();
    } catch (...) {
        restore();
        throw;
    }
    restore();
}

}  // namespace irl
