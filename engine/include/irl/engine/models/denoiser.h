// The denoiser interface: x0_hat = denoise(x, sigma, labels) in the EDM (variance-exploding) form.
// Every sampler, policy and trainer reaches the model only through this interface.
#pragma once

#include <torch/types.h>
#include <cstdint>
#include <string>
#include <vector>

namespace irl {

// Label value that asks for the unconditional model (the classifier-free "null" label).
inline constexpr int64_t kUnconditional = -1;

class Denoiser {
public:
    virtual ~Denoiser() = default;

    // x: [N, *sample_shape()], sigma: [N] (noise level of each sample), labels: [N] int64 with
    // kUnconditional for the unconditional model. Returns the estimate of the clean sample,
    // same shape and dtype as x.
    virtual torch::Tensor denoise(const torch::Tensor& x, const torch::Tensor& sigma,
                                  const torch::Tensor& labels) = 0;

    // The same estimate with the autograd graph kept, for learning through the sampler (schedule
    // fits, DxMI, reward fine-tuning): gradients flow to x and sigma, never to the model's weights,
    // which stay frozen. Values agree with denoise() within float tolerance; it runs outside
    // inference mode, so it costs more time and memory. A denoiser that cannot give gradients
    // keeps the default, which throws std::runtime_error naming it; gives_gradients() says which.
    virtual torch::Tensor denoise_with_gradients(const torch::Tensor& x, const torch::Tensor& sigma,
                                                 const torch::Tensor& labels);
    virtual bool gives_gradients() const { return false; }

    virtual std::vector<int64_t> sample_shape() const = 0;
    // Number of classes the model is conditioned on; 0 when it is unconditional only.
    virtual int64_t num_classes() const = 0;
    virtual double sigma_data() const = 0;
    // A short string that names the model and its weights (checked when loading policies).
    virtual std::string identity() const = 0;
    // The checksum of the file its weights came from (8 hex digits of CRC-32), which tells two
    // models of the same name apart; empty for a model without such a file (the exact toys).
    virtual std::string weights_checksum() const { return {}; }
};

// EDM preconditioning (Karras et al. 2022, Table 1):
// D(x; sigma) = c_skip x + c_out F(c_in x, c_noise).
struct EdmScaling {
    torch::Tensor c_skip;
    torch::Tensor c_out;
    torch::Tensor c_in;
    torch::Tensor c_noise;

    // sigma: [N]; the returned coefficients are [N] as well.
    static EdmScaling at(const torch::Tensor& sigma, double sigma_data);
};

// Reshapes a per-sample [N] tensor so that it broadcasts against x of shape [N, ...].
torch::Tensor per_sample(const torch::Tensor& values, const torch::Tensor& like);

}  // namespace irl
