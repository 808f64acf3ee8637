#include "irl/engine/models/unet_denoiser.h"

#include "irl/engine/io/archive.h"

#include <torch/torch.h>

#include <filesystem>

namespace irl {
namespace {

const FileKind kWeightsFile{"irlstudio-unet", 1, "U-Net weights file"};
// Samples per forward pass: bounds memory for large requests.
constexpr int64_t kMaxBatch = 256;

}  // namespace

UnetDenoiser::UnetDenoiser(EdmUnet network, std::string identity, std::string weights_checksum)
    : network_(std::move(network)), identity_(std::move(identity)), weights_checksum_(std::move(weights_checksum)) {
    network_->eval();
    // A denoiser samples; the weights are learned by the trainer on an EdmUnet of its own. Frozen
    // here, gradients through the denoiser go to its inputs only.
    for (torch::Tensor& parameter : network_->parameters()) parameter.requires_grad_(false);
}

std::unique_ptr<UnetDenoiser> UnetDenoiser::load(const std::string& path) {
    ArchiveReader archive(path, kWeightsFile);
    UnetConfig config;
    try {
        config = UnetConfig::from_json(archive.text("config"));
    } catch (const std::runtime_error& e) {
        archive.fail(std::string("has a bad configuration (") + e.what() + ")");
    }
    EdmUnet network(config);
    archive.load_module("model", *network);
    const std::string name = std::filesystem::path(path).filename().string();
    return std::make_unique<UnetDenoiser>(network, "unet:" + name, archive.checksum());
}

torch::Tensor UnetDenoiser::denoise(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& labels) {
    torch::InferenceMode inference;
    return denoise_with_gradients(x, sigma, labels);
}

torch::Tensor UnetDenoiser::denoise_with_gradients(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& labels) {
    if (x.size(0) <= kMaxBatch) return network_->denoise(x, sigma, labels).to(x.scalar_type());
    std::vector<torch::Tensor> parts;
    for (int64_t start = 0; start < x.size(0); start += kMaxBatch) {
        const int64_t len = std::min(kMaxBatch, x.size(0) - start);
        parts.push_back(network_->denoise(x.narrow(0, start, len), sigma.narrow(0, start, len), labels.narrow(0, start, len)));
    }
    return torch::cat(parts).to(x.scalar_type());
}

std::vector<int64_t> UnetDenoiser::sample_shape() const {
    const UnetConfig& c = network_->config();
    return {c.image_channels, c.image_size, c.image_size};
}

void save_unet_weights(EdmUnet& network, const std::string& path, const std::string& facts_json) {
    ArchiveWriter archive(kWeightsFile);
    archive.text("config", network->config().to_json());
    archive.text("facts", facts_json);
    archive.module("model", *network);
    archive.save(path);
}

std::string read_unet_facts(const std::string& path) {
    ArchiveReader archive(path, kWeightsFile);
    return archive.has("facts") ? archive.text("facts") : "{}";
}

}  // namespace irl
