#include "irl/engine/models/denoiser.h"

#include <torch/torch.h>

#include <stdexcept>

namespace irl {

torch::Tensor Denoiser::denoise_with_gradients(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&) {
    throw std::runtime_error("the denoiser '" + identity() + "' cannot give gradients through its output");
}

EdmScaling EdmScaling::at(const torch::Tensor& sigma, double sigma_data) {
    const double sd2 = sigma_data * sigma_data;
    const torch::Tensor total = sigma * sigma + sd2;
    EdmScaling scaling;
    scaling.c_skip = sd2 / total;
    scaling.c_out = sigma * sigma_data / total.sqrt();
    scaling.c_in = total.rsqrt();
    scaling.c_noise = sigma.log() / 4.0;
    return scaling;
}

torch::Tensor per_sample(const torch::Tensor& values, const torch::Tensor& like) {
    std::vector<int64_t> shape(static_cast<size_t>(like.dim()), 1);
    shape[0] = values.size(0);
    return values.reshape(shape);
}

}  // namespace irl
