// Bring your own denoiser: a TorchScript file plus a JSON sidecar that says how to call it.
// The contract is documented in README.md ("Bringing your own denoiser").
#pragma once

#include "irl/engine/models/denoiser.h"
#include "irl/engine/models/torchscript_sidecar.h"

#include <memory>
#include <string>

namespace irl {

// How a loaded module runs. Frozen: torch.jit.freeze, then optimize_for_inference (weights become
// constants, convolutions are fused and laid out for the CPU), the fast copy every sampler uses; a
// module that cannot be frozen, or whose frozen copy does not give its outputs on a probe, runs
// as saved, with a warning. AsSaved: the module as it was saved, with its parameters (to compare
// with). In both modes denoise() runs in inference mode, and denoise_with_gradients() runs the
// module as saved (the frozen copy's layouts are for inference), its parameters never requiring
// gradients.
enum class TorchScriptMode { Frozen, AsSaved };

// The sidecar a TorchScript file is read with: `path` with .json instead of its extension, or
// `path`.json; empty when neither exists.
std::string torchscript_sidecar_of(const std::string& path);
// A denoiser file of either kind: TorchScript when a sidecar lies beside it, else the project's own
// U-Net file (what train-denoiser writes). Throws std::runtime_error naming the file.
std::unique_ptr<Denoiser> load_denoiser_file(const std::string& path);

class TorchScriptDenoiser : public Denoiser {
public:
    // Reads `path` and its sidecar (`path` with .json instead of its extension, or `path`.json).
    // Throws std::runtime_error naming the file and the problem: missing sidecar, bad fields,
    // unreadable TorchScript, or an output of the wrong shape on a probe call.
    static std::unique_ptr<TorchScriptDenoiser> load(const std::string& path, TorchScriptMode mode = TorchScriptMode::Frozen);
    TorchScriptMode mode() const { return mode_; }
    ~TorchScriptDenoiser() override;

    torch::Tensor denoise(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& labels) override;
    torch::Tensor denoise_with_gradients(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& labels) override;
    bool gives_gradients() const override { return true; }
    std::vector<int64_t> sample_shape() const override { return sidecar_.input_shape; }
    int64_t num_classes() const override { return sidecar_.num_classes; }
    double sigma_data() const override { return sidecar_.sigma_data; }
    std::string identity() const override { return identity_; }
    std::string weights_checksum() const override { return weights_checksum_; }

private:
    struct Module;  // keeps <torch/script.h> out of this header
    TorchScriptDenoiser(std::unique_ptr<Module> module, TorchScriptSidecar sidecar, std::string path, TorchScriptMode mode);
    // The EDM preconditioning around call() unless the sidecar says the module returns D itself.
    torch::Tensor run(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& labels, bool with_gradients);
    torch::Tensor call(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& labels, bool with_gradients);
    // Replaces the module by its frozen, optimised copy when that gives the same outputs on a probe
    // (within 1e-4 of their scale); otherwise keeps it and warns, saying why.
    void freeze_for_inference();

    std::unique_ptr<Module> module_;
    TorchScriptSidecar sidecar_;
    std::string path_;
    std::string identity_;
    std::string weights_checksum_;  // CRC-32 of the whole TorchScript file
    TorchScriptMode mode_ = TorchScriptMode::Frozen;
};

}  // namespace irl
