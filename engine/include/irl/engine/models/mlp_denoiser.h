// A small EDM-preconditioned MLP denoiser for vector data (the 2-D toys): D(x; sigma) =
// c_skip x + c_out F(c_in x, c_noise), with F an MLP on the scaled point and Fourier features of
// c_noise. Its weights can be trained (fit_mlp_denoiser, DxMI's fine-tuning), which the exact
// mixture denoiser has none of.
#pragma once

#include "irl/engine/models/denoiser.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>

#include <memory>
#include <string>

namespace irl {

struct MlpDenoiserNetImpl : torch::nn::Module {
    // `dimension`: the data's; the initial weights are a function of `seed` alone.
    MlpDenoiserNetImpl(int64_t dimension, int64_t width, uint64_t seed);
    // F(c_in x, c_noise): [N, dimension] from [N, dimension] and [N].
    torch::Tensor forward(const torch::Tensor& scaled_x, const torch::Tensor& c_noise);
    torch::Tensor frequencies;
    torch::nn::Sequential body{nullptr};
};
TORCH_MODULE(MlpDenoiserNet);

class MlpDenoiser : public Denoiser {
public:
    MlpDenoiser(int64_t dimension, double sigma_data, std::string identity, int64_t width = 64, uint64_t seed = 0);

    torch::Tensor denoise(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& labels) override;
    // With the graph kept to x and sigma (the weights are not part of it: see train_forward).
    torch::Tensor denoise_with_gradients(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& labels) override;
    bool gives_gradients() const override { return true; }
    // D(x; sigma) with gradients to the weights as well, for whoever trains them.
    torch::Tensor train_forward(const torch::Tensor& x, const torch::Tensor& sigma);
    std::vector<int64_t> sample_shape() const override { return {dimension_}; }
    int64_t num_classes() const override { return 0; }
    double sigma_data() const override { return sigma_data_; }
    std::string identity() const override { return identity_; }
    int64_t width() const { return width_; }

    MlpDenoiserNet& network() { return network_; }
    const MlpDenoiserNet& network() const { return network_; }

private:
    int64_t dimension_;
    int64_t width_;
    double sigma_data_;
    std::string identity_;
    MlpDenoiserNet network_;
};

}  // namespace irl
