#include "irl/engine/learning/dxmi/toy_denoiser_fit.h"

#include "irl/engine/core/random.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>

namespace irl {

MlpFit fit_mlp_denoiser(const GaussianMixture& mixture, const std::string& name, const MlpFitOptions& options,
                        const CancelToken* cancel) {
    const auto began = std::chrono::steady_clock::now();
    // EDM's sigma_data: the root-mean-square standard deviation of the clean data.
    const double sigma_data = std::sqrt(mixture.marginal_covariance(0.0).diagonal().mean().item<double>());
    const int64_t dimension = mixture.marginal_covariance(0.0).size(0);
    MlpFit fit;
    fit.denoiser = std::make_unique<MlpDenoiser>(dimension, sigma_data, "mlp:" + name + ":seed" + std::to_string(options.seed),
                                                 options.width, options.seed);
    MlpDenoiserNet& net = fit.denoiser->network();
    torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(options.learning_rate));
    at::Generator g = make_generator(options.seed + 7919);
    double tail = 0.0;
    int64_t tail_steps = 0;
    for (int64_t step = 0; step < options.steps; ++step) {
        if (cancel) cancel->throw_if_cancelled();
        const double lr = 0.5 * options.learning_rate * (1.0 + std::cos(M_PI * double(step) / double(options.steps)));
        for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
        const torch::Tensor x = mixture.sample(options.batch, g).to(torch::kFloat32);
        const torch::Tensor sigma = (options.p_mean + options.p_std * standard_normal({options.batch}, g, torch::kFloat32)).exp();
        const torch::Tensor noisy = x + sigma.unsqueeze(1) * standard_normal(x.sizes(), g, torch::kFloat32);
        const torch::Tensor weight = (sigma.square() + sigma_data * sigma_data) / (sigma * sigma_data).square();
        const torch::Tensor loss = (weight.unsqueeze(1) * (fit.denoiser->train_forward(noisy, sigma) - x).square()).mean();
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
        if (step >= options.steps - std::max<int64_t>(1, options.steps / 10)) tail += loss.item<double>(), ++tail_steps;
    }
    fit.loss = tail_steps > 0 ? tail / double(tail_steps) : 0.0;
    fit.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    return fit;
}

}  // namespace irl
