#include "irl/engine/models/edm_unet.h"

#include "irl/engine/models/denoiser.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>

namespace irl {
namespace {

constexpr int64_t kNoiseFeatures = 64;  // Fourier features of c_noise

int64_t groups_for(int64_t channels) { return channels % 8 == 0 ? 8 : 1; }

torch::nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride = 1) {
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).stride(stride).padding(1));
}

}  // namespace

std::string UnetConfig::to_json() const {
    return nlohmann::json{{"image_channels", image_channels}, {"image_size", image_size}, {"num_classes", num_classes},
                          {"channels", channels}, {"embedding", embedding}, {"attention_at_lowest", attention_at_lowest},
                          {"sigma_data", sigma_data}}
        .dump();
}

UnetConfig UnetConfig::from_json(const std::string& text) {
    UnetConfig c;
    try {
        const auto j = nlohmann::json::parse(text);
        c.image_channels = j.at("image_channels").get<int64_t>();
        c.image_size = j.at("image_size").get<int64_t>();
        c.num_classes = j.at("num_classes").get<int64_t>();
        c.channels = j.at("channels").get<std::vector<int64_t>>();
        c.embedding = j.at("embedding").get<int64_t>();
        c.attention_at_lowest = j.at("attention_at_lowest").get<bool>();
        c.sigma_data = j.at("sigma_data").get<double>();
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(std::string("U-Net configuration: ") + e.what());
    }
    try {
        c.validate();
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(e.what());
    }
    return c;
}

void UnetConfig::validate() const {
    if (channels.empty() || channels.size() > 6) throw std::invalid_argument("U-Net configuration: 1 to 6 levels of channels");
    for (int64_t c : channels)
        if (c < 8 || c > 1024) throw std::invalid_argument("U-Net configuration: channel widths must be in 8..1024");
    if (image_channels < 1 || image_channels > 4) throw std::invalid_argument("U-Net configuration: image_channels must be 1..4");
    if (num_classes < 0 || embedding < 1 || !(sigma_data > 0)) throw std::invalid_argument("U-Net configuration: out-of-range values");
    const int64_t factor = int64_t(1) << (channels.size() - 1);
    if (image_size < factor || image_size % factor != 0)
        throw std::invalid_argument("U-Net configuration: " + std::to_string(channels.size()) + " levels halve the image " +
                                    std::to_string(channels.size() - 1) + " times, so the image size must be a multiple of " +
                                    std::to_string(factor) + " (it is " + std::to_string(image_size) + ")");
}

ResidualBlockImpl::ResidualBlockImpl(int64_t in, int64_t out, int64_t embedding) {
    norm1 = register_module("norm1", torch::nn::GroupNorm(groups_for(in), in));
    conv1 = register_module("conv1", conv3x3(in, out));
    norm2 = register_module("norm2", torch::nn::GroupNorm(groups_for(out), out));
    conv2 = register_module("conv2", conv3x3(out, out));
    modulation = register_module("modulation", torch::nn::Linear(embedding, 2 * out));
    if (in != out) skip = register_module("skip", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1)));
    // Start as identity: the last convolution of each block outputs zeros.
    torch::NoGradGuard no_grad;
    conv2->weight.zero_();
    conv2->bias.zero_();
}

torch::Tensor ResidualBlockImpl::forward(const torch::Tensor& x, const torch::Tensor& embedding) {
    torch::Tensor h = conv1(torch::silu(norm1(x)));
    const auto scale_shift = modulation(embedding).unsqueeze(-1).unsqueeze(-1).chunk(2, 1);
    h = torch::silu(norm2(h) * (1 + scale_shift[0]) + scale_shift[1]);
    h = conv2(h);
    return h + (skip ? skip(x) : x);
}

SelfAttentionImpl::SelfAttentionImpl(int64_t channels) {
    norm = register_module("norm", torch::nn::GroupNorm(groups_for(channels), channels));
    qkv = register_module("qkv", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, 3 * channels, 1)));
    project = register_module("project", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, channels, 1)));
    torch::NoGradGuard no_grad;
    project->weight.zero_();
    project->bias.zero_();
}

torch::Tensor SelfAttentionImpl::forward(const torch::Tensor& x) {
    const int64_t n = x.size(0), c = x.size(1), hw = x.size(2) * x.size(3);
    const auto parts = qkv(norm(x)).reshape({n, 3, c, hw}).unbind(1);
    const torch::Tensor weights = torch::softmax(torch::bmm(parts[0].transpose(1, 2), parts[1]) / std::sqrt(double(c)), -1);
    const torch::Tensor attended = torch::bmm(parts[2], weights.transpose(1, 2)).reshape(x.sizes());
    return x + project(attended);
}

EdmUnetImpl::EdmUnetImpl(UnetConfig config) : config_(std::move(config)) {
    config_.validate();
    const auto& ch = config_.channels;
    const int64_t e = config_.embedding;
    frequencies_ = register_buffer("frequencies", torch::exp(torch::linspace(0.0, std::log(1000.0), kNoiseFeatures / 2)));
    embed1 = register_module("embed1", torch::nn::Linear(kNoiseFeatures, e));
    embed2 = register_module("embed2", torch::nn::Linear(e, e));
    if (config_.num_classes > 0)
        label_embedding = register_module("label_embedding", torch::nn::Embedding(config_.num_classes + 1, e));
    input = register_module("input", conv3x3(config_.image_channels, ch[0]));

    // Encoder: one residual block per level, a strided convolution between levels.
    int64_t previous = ch[0];
    for (size_t level = 0; level < ch.size(); ++level) {
        down_blocks->push_back(ResidualBlock(previous, ch[level], e));
        previous = ch[level];
        if (level + 1 < ch.size()) downsamplers->push_back(conv3x3(ch[level], ch[level], 2));
    }
    register_module("down_blocks", down_blocks);
    register_module("downsamplers", downsamplers);
    middle1 = register_module("middle1", ResidualBlock(previous, previous, e));
    if (config_.attention_at_lowest) middle_attention = register_module("middle_attention", SelfAttention(previous));
    middle2 = register_module("middle2", ResidualBlock(previous, previous, e));
    // Decoder: each level concatenates the encoder's output of the same resolution.
    for (size_t i = ch.size(); i-- > 0;) {
        up_blocks->push_back(ResidualBlock(previous + ch[i], ch[i], e));
        previous = ch[i];
        if (i > 0) upsamplers->push_back(conv3x3(ch[i], ch[i - 1]));
        if (i > 0) previous = ch[i - 1];
    }
    register_module("up_blocks", up_blocks);
    register_module("upsamplers", upsamplers);
    output_norm = register_module("output_norm", torch::nn::GroupNorm(groups_for(ch[0]), ch[0]));
    output = register_module("output", conv3x3(ch[0], config_.image_channels));
    torch::NoGradGuard no_grad;
    output->weight.zero_();
    output->bias.zero_();
}

torch::Tensor EdmUnetImpl::noise_features(const torch::Tensor& c_noise) const {
    const torch::Tensor angles = c_noise.to(torch::kFloat32).unsqueeze(1) * frequencies_.unsqueeze(0);
    return torch::cat({angles.cos(), angles.sin()}, 1);
}

torch::Tensor EdmUnetImpl::forward(const torch::Tensor& x_in, const torch::Tensor& c_noise, const torch::Tensor& labels) {
    torch::Tensor embedding = embed2(torch::silu(embed1(noise_features(c_noise))));
    if (label_embedding) {
        // The null label (unconditional) is the extra last row of the embedding table.
        const torch::Tensor index = torch::where(labels < 0, torch::full_like(labels, config_.num_classes), labels);
        embedding = embedding + label_embedding(index);
    }
    embedding = torch::silu(embedding);

    torch::Tensor h = input(x_in);
    std::vector<torch::Tensor> skips;
    const size_t levels = config_.channels.size();
    for (size_t level = 0; level < levels; ++level) {
        h = down_blocks[level]->as<ResidualBlock>()->forward(h, embedding);
        skips.push_back(h);
        if (level + 1 < levels) h = downsamplers[level]->as<torch::nn::Conv2d>()->forward(h);
    }
    h = middle1(h, embedding);
    if (middle_attention) h = middle_attention(h);
    h = middle2(h, embedding);
    for (size_t j = 0; j < levels; ++j) {
        h = up_blocks[j]->as<ResidualBlock>()->forward(torch::cat({h, skips[levels - 1 - j]}, 1), embedding);
        if (j + 1 < levels) {
            h = torch::upsample_nearest2d(h, std::vector<int64_t>{h.size(2) * 2, h.size(3) * 2});
            h = upsamplers[j]->as<torch::nn::Conv2d>()->forward(h);
        }
    }
    return output(torch::silu(output_norm(h)));
}

torch::Tensor EdmUnetImpl::denoise(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& labels) {
    const torch::Tensor s = sigma.to(torch::kFloat32);
    const EdmScaling k = EdmScaling::at(s, config_.sigma_data);
    const torch::Tensor xf = x.to(torch::kFloat32);
    const torch::Tensor f = forward(per_sample(k.c_in, xf) * xf, k.c_noise, labels);
    return per_sample(k.c_skip, xf) * xf + per_sample(k.c_out, xf) * f;
}

int64_t EdmUnetImpl::parameter_count() const {
    int64_t count = 0;
    for (const auto& p : parameters()) count += p.numel();
    return count;
}

}  // namespace irl
