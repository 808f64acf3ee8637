// DxMI's reward and its dynamic programme (Yoon et al., NeurIPS 2024, as summarised in issue #44
// from the authors' code): an energy E_phi(x) independent of sigma, trained to be low on data and
// high on the sampler's samples, and a value V_psi(x, t) at the sampler's steps, fitted by a
// backward TD sweep whose last step's value is the energy itself. This file builds the separate,
// time-dependent value of the authors' anomaly trainer rather than one network for both: the
// energy must stay a function of x alone to serve as an anomaly score (part 3), and a value that
// knows t can differ between steps where the sampler's states do.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/embedding.h>

#include <cstdint>

namespace irl {

// E_phi: an MLP on a point, [N, dimension] -> [N]. The initial weights are a function of `seed`.
struct EnergyNetImpl : torch::nn::Module {
    EnergyNetImpl(int64_t dimension, int64_t width, uint64_t seed);
    torch::Tensor forward(const torch::Tensor& x);
    torch::nn::Sequential body{nullptr};
};
TORCH_MODULE(EnergyNet);

// V_psi(x, t) for the steps t = 0 .. steps - 1, [N, dimension] and [N] int64 -> [N].
struct ValueNetImpl : torch::nn::Module {
    ValueNetImpl(int64_t dimension, int64_t steps, int64_t width, uint64_t seed);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& step);
    torch::nn::Embedding step_embedding{nullptr};
    torch::nn::Sequential body{nullptr};
};
TORCH_MODULE(ValueNet);

// The EBM loss: mean E(data) - mean E(samples) + gamma (mean E(data)^2 + mean E(samples)^2); the
// square term keeps the energies near 0 (gamma = 1 in the authors' code).
torch::Tensor energy_loss(const torch::Tensor& data_energy, const torch::Tensor& sample_energy, double gamma = 1.0);

// The DxMI costs of one step from x to x_next, per sample [N]: tau2 ||x_next - x||^2 / (2 beta)
// - tau1 log s, where log s is the step's entropy per dimension (tau1 = 0.1, tau2 = 0.01 by the
// authors' defaults).
torch::Tensor step_cost(const torch::Tensor& x, const torch::Tensor& x_next, double beta, const torch::Tensor& log_s, double tau1,
                        double tau2);
// The TD target of step t: sg[V(x_{t+1}, t+1)] + the step's cost (V at the last step is the energy).
torch::Tensor td_target(const torch::Tensor& next_value, const torch::Tensor& x, const torch::Tensor& x_next, double beta,
                        const torch::Tensor& log_s, double tau1, double tau2);

// beta_t: an exponential moving average of the mean squared step ||x_{t+1} - x_t||^2 (the first
// observation sets it), decay 0.99 as the authors'.
struct StepScale {
    double value = 0.0;
    bool seen = false;
    double decay = 0.99;
    void observe(const torch::Tensor& x, const torch::Tensor& x_next);
};

}  // namespace irl
