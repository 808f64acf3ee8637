// DxMI's sampler pi_theta (Yoon et al., NeurIPS 2024, "Maximum Entropy Inverse Reinforcement
// Learning of Diffusion Models with Energy-Based Models", in EDM form): T Euler-ancestral steps on
// a denoiser down a fixed sigma list, step t adding noise of a learnable std s_t (the authors'
// log_betas are log s_t). A step's entropy is log s_t per dimension; the last step's noise is
// fixed and small.
#pragma once

#include "irl/engine/models/denoiser.h"

#include <torch/nn/module.h>

#include <vector>

namespace irl {

class FewStepSamplerImpl : public torch::nn::Module {
public:
    // `sigmas`: T + 1 levels, strictly descending, ending at 0 (std::invalid_argument otherwise).
    // Step t < T - 1 adds s_t = sigma_{t+1} sigmoid(a_t) (so that it can never exceed the level it
    // lands on), a_t learnable and initialised at `noise_fraction` of Euler ancestral's sigma_up
    // (1: Euler ancestral itself); the last step, to sigma = 0, adds `last_noise`, fixed.
    // With `learn_levels` the levels between the first and the last nonzero one are learnable too
    // (T >= 3): the last-to-first log span is shared out by softmax(b), b starting at the given
    // levels' shares, so they stay strictly descending; the first (the start noise) and the last
    // nonzero level are kept.
    explicit FewStepSamplerImpl(std::vector<double> sigmas, double noise_fraction = 0.3, double last_noise = 0.002,
                                bool learn_levels = false);

    int64_t steps() const { return static_cast<int64_t>(initial_sigmas_.size()) - 1; }
    // The levels now (T + 1, ending at 0), as numbers and as a tensor differentiable in b.
    std::vector<double> sigmas() const;
    torch::Tensor level_tensor() const;
    bool learns_levels() const { return level_logits.defined(); }
    double last_noise() const { return last_noise_; }
    // [T] float64: s_t, the last one fixed; the others keep their gradient to a_t.
    torch::Tensor step_noise() const;
    // x_{t+1} = x_t + (sigma_down - sigma_t) (x_t - D) / sigma_t + s_t noise, with
    // sigma_down^2 = sigma_{t+1}^2 - s_t^2: the next level's variance, split between the
    // deterministic move and fresh noise. Differentiable in x, D, s_t and the learned levels.
    torch::Tensor step(const torch::Tensor& x, int64_t t, const torch::Tensor& denoised, const torch::Tensor& noise) const;

    torch::Tensor noise_logits;  // [T - 1] a_t
    torch::Tensor level_logits;  // [T - 1] b, only when the levels are learned

private:
    std::vector<double> initial_sigmas_;
    double last_noise_;
};
TORCH_MODULE(FewStepSampler);

// `count` unconditional samples from all T steps, without gradients: the initial noise and then
// one standard normal draw per step from `seed`, in the order of the engine's sampler (so that at
// noise fraction 1 and no last noise it follows Euler ancestral sample for sample).
torch::Tensor sample_few_step(Denoiser& denoiser, const FewStepSampler& sampler, int64_t count, uint64_t seed,
                              torch::Dtype dtype = torch::kFloat32);

}  // namespace irl
