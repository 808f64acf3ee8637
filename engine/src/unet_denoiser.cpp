#include "irl/engine/unet_denoiser.h"

#include "irl/engine/scatter_plot.h"

#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace irl {
namespace {

constexpr const char* kFormat = "irlstudio-unet/1";
// Samples per forward pass: bounds memory for large requests.
constexpr int64_t kMaxBatch = 256;

torch::serialize::InputArchive open_archive(const std::string& path) {
    if (!std::filesystem::exists(path)) throw std::runtime_error("weights file '" + path + "' does not exist");
    torch::serialize::InputArchive archive;
    try {
        archive.load_from(path);
    } catch (const c10::Error& e) {
        throw std::runtime_error("weights file '" + path + "' is not a readable LibTorch archive (corrupt or truncated)");
    }
    c10::IValue format;
    if (!archive.try_read("format", format) || !format.isString() || format.toStringRef() != kFormat)
        throw std::runtime_error("weights file '" + path + "' is not an IRL Sampler Studio U-Net (expected format " +
                                 kFormat + ")");
    return archive;
}

std::string read_string(torch::serialize::InputArchive& archive, const char* key, const std::string& path) {
    c10::IValue value;
    if (!archive.try_read(key, value) || !value.isString())
        throw std::runtime_error("weights file '" + path + "' has no '" + key + "' entry");
    return value.toStringRef();
}

}  // namespace

UnetDenoiser::UnetDenoiser(EdmUnet network, std::string identity)
    : network_(std::move(network)), identity_(std::move(identity)) {
    network_->eval();
}

std::unique_ptr<UnetDenoiser> UnetDenoiser::load(const std::string& path) {
    torch::serialize::InputArchive archive = open_archive(path);
    const UnetConfig config = UnetConfig::from_json(read_string(archive, "config", path));
    EdmUnet network(config);
    torch::serialize::InputArchive weights;
    if (!archive.try_read("model", weights)) throw std::runtime_error("weights file '" + path + "' has no 'model' entry");
    try {
        network->load(weights);
    } catch (const c10::Error& e) {
        throw std::runtime_error("weights file '" + path + "' does not match its configuration: " +
                                 std::string(e.what_without_backtrace()));
    }
    const std::string name = std::filesystem::path(path).filename().string();
    return std::make_unique<UnetDenoiser>(network, "unet:" + name);
}

torch::Tensor UnetDenoiser::denoise(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& labels) {
    torch::InferenceMode inference;
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
    torch::serialize::OutputArchive archive;
    archive.write("format", c10::IValue(std::string(kFormat)));
    archive.write("config", c10::IValue(network->config().to_json()));
    archive.write("facts", c10::IValue(facts_json));
    torch::serialize::OutputArchive model;
    network->save(model);
    archive.write("model", model);
    std::ostringstream bytes;
    archive.save_to(bytes);
    write_file_atomically(path, bytes.str());
}

std::string read_unet_facts(const std::string& path) {
    torch::serialize::InputArchive archive = open_archive(path);
    c10::IValue facts;
    return archive.try_read("facts", facts) && facts.isString() ? facts.toStringRef() : "{}";
}

}  // namespace irl
