// The bundled denoiser: an EdmUnet loaded from a weights file, behind the Denoiser interface.
// Weights files hold the configuration, the (EMA) parameters and a few facts about training.
#pragma once

#include "irl/engine/models/denoiser.h"
#include "irl/engine/models/edm_unet.h"

#include <string>

namespace irl {

class UnetDenoiser : public Denoiser {
public:
    explicit UnetDenoiser(EdmUnet network, std::string identity = "unet", std::string weights_checksum = {});
    // Throws std::runtime_error naming the file when it is missing, corrupt or of another format.
    static std::unique_ptr<UnetDenoiser> load(const std::string& path);

    torch::Tensor denoise(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& labels) override;
    torch::Tensor denoise_with_gradients(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& labels) override;
    bool gives_gradients() const override { return true; }
    std::vector<int64_t> sample_shape() const override;
    int64_t num_classes() const override { return network_->config().num_classes; }
    double sigma_data() const override { return network_->config().sigma_data; }
    std::string identity() const override { return identity_; }
    std::string weights_checksum() const override { return weights_checksum_; }

    EdmUnet& network() { return network_; }

private:
    EdmUnet network_;
    std::string identity_;
    std::string weights_checksum_;
};

// Writes the network's parameters and configuration to `path` atomically; `facts` is a JSON
// object with training facts (steps, seconds, data) kept in the file.
void save_unet_weights(EdmUnet& network, const std::string& path, const std::string& facts_json);
// Reads the facts stored by save_unet_weights ("{}" when there are none).
std::string read_unet_facts(const std::string& path);

}  // namespace irl
