// A small class-conditional U-Net with EDM preconditioning, sized for 28x28 images on a CPU.
// The raw network F; UnetDenoiser wraps it as D = c_skip x + c_out F(c_in x, c_noise, label).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <string>
#include <vector>

namespace irl {

struct UnetConfig {
    int64_t image_channels = 1;
    int64_t image_size = 28;              // height = width; divisible by 2^(levels-1)
    int64_t num_classes = 10;             // 0 = unconditional; the null label is index num_classes
    std::vector<int64_t> channels{32, 64, 64};  // per resolution level
    int64_t embedding = 128;              // noise + label embedding width
    bool attention_at_lowest = true;
    double sigma_data = 0.5;

    std::string to_json() const;
    static UnetConfig from_json(const std::string& text);  // throws std::runtime_error on bad fields
    // Throws std::invalid_argument saying which field cannot build a network (e.g. an image size
    // that the levels' downsampling does not divide).
    void validate() const;
};

class ResidualBlockImpl : public torch::nn::Module {
public:
    ResidualBlockImpl(int64_t in, int64_t out, int64_t embedding);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& embedding);

private:
    torch::nn::GroupNorm norm1{nullptr}, norm2{nullptr};
    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, skip{nullptr};
    torch::nn::Linear modulation{nullptr};
};
TORCH_MODULE(ResidualBlock);

class SelfAttentionImpl : public torch::nn::Module {
public:
    explicit SelfAttentionImpl(int64_t channels);
    torch::Tensor forward(const torch::Tensor& x);

private:
    torch::nn::GroupNorm norm{nullptr};
    torch::nn::Conv2d qkv{nullptr}, project{nullptr};
};
TORCH_MODULE(SelfAttention);

class EdmUnetImpl : public torch::nn::Module {
public:
    explicit EdmUnetImpl(UnetConfig config);
    // F(x_in, c_noise, labels): x_in [N, C, H, W], c_noise [N], labels [N] (kUnconditional = null).
    torch::Tensor forward(const torch::Tensor& x_in, const torch::Tensor& c_noise, const torch::Tensor& labels);
    // D(x; sigma, labels) with EDM preconditioning.
    torch::Tensor denoise(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& labels);
    const UnetConfig& config() const { return config_; }
    int64_t parameter_count() const;

private:
    torch::Tensor noise_features(const torch::Tensor& c_noise) const;

    UnetConfig config_;
    torch::Tensor frequencies_;
    torch::nn::Linear embed1{nullptr}, embed2{nullptr};
    torch::nn::Embedding label_embedding{nullptr};
    torch::nn::Conv2d input{nullptr}, output{nullptr};
    torch::nn::GroupNorm output_norm{nullptr};
    torch::nn::ModuleList down_blocks, downsamplers, up_blocks, upsamplers;
    ResidualBlock middle1{nullptr}, middle2{nullptr};
    SelfAttention middle_attention{nullptr};
};
TORCH_MODULE(EdmUnet);

}  // namespace irl
