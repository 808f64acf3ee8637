#include "irl/engine/learning/dxmi/few_step_sampler.h"

#include "irl/engine/core/random.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace irl {

FewStepSamplerImpl::FewStepSamplerImpl(std::vector<double> sigmas, double noise_fraction, double last_noise, bool learn_levels)
    : initial_sigmas_(std::move(sigmas)), last_noise_(last_noise) {
    const std::vector<double>& levels = initial_sigmas_;
    if (levels.size() < 2 || levels.back() != 0.0)
        throw std::invalid_argument("few-step sampler: the sigma list needs at least one level and must end at 0");
    for (size_t i = 0; i + 1 < levels.size(); ++i)
        if (!(levels[i] > levels[i + 1])) throw std::invalid_argument("few-step sampler: the sigma list must be strictly descending");
    if (!(noise_fraction > 0.0 && noise_fraction <= 1.0)) throw std::invalid_argument("few-step sampler: the noise fraction must be in (0, 1]");
    if (!(last_noise >= 0.0)) throw std::invalid_argument("few-step sampler: the last step's noise must be >= 0");
    std::vector<double> logits;
    for (size_t t = 0; t + 2 < levels.size(); ++t) {
        // Euler ancestral: sigma_up / sigma_next = sqrt(1 - sigma_next^2 / sigma^2).
        const double ratio = std::sqrt(1.0 - std::pow(levels[t + 1] / levels[t], 2.0));
        const double r = std::clamp(noise_fraction * ratio, 1e-9, 1.0 - 1e-12);
        logits.push_back(std::log(r / (1.0 - r)));
    }
    noise_logits = register_parameter("noise_logits", torch::tensor(logits, torch::kFloat64));
    // T + 1 levels: T nonzero, of which the T - 2 between the first and the last are learned.
    if (learn_levels && levels.size() >= 4) {
        std::vector<double> shares;
        for (size_t i = 0; i + 2 < levels.size(); ++i) shares.push_back(std::log(std::log(levels[i] / levels[i + 1])));
        level_logits = register_parameter("level_logits", torch::tensor(shares, torch::kFloat64));
    }
}

torch::Tensor FewStepSamplerImpl::level_tensor() const {
    const torch::Tensor fixed = torch::tensor(initial_sigmas_, torch::kFloat64);
    if (!learns_levels()) return fixed;
    const int64_t n = steps();  // nonzero levels
    const double first = initial_sigmas_.front(), last = initial_sigmas_[static_cast<size_t>(n) - 1];
    // Level i = first * exp(-span * (share_0 + ... + share_{i-1})), the shares a softmax.
    const torch::Tensor shares = torch::softmax(level_logits, 0);
    const torch::Tensor fallen = torch::cumsum(shares, 0).narrow(0, 0, n - 2) * std::log(first / last);
    const torch::Tensor inner = first * torch::exp(-fallen);
    return torch::cat({fixed.narrow(0, 0, 1), inner, fixed.narrow(0, n - 1, 2)});
}

std::vector<double> FewStepSamplerImpl::sigmas() const {
    if (!learns_levels()) return initial_sigmas_;
    torch::NoGradGuard no_grad;
    const torch::Tensor levels = level_tensor().contiguous();
    std::vector<double> out(levels.data_ptr<double>(), levels.data_ptr<double>() + levels.numel());
    out.front() = initial_sigmas_.front();  // exact, as given
    return out;
}

torch::Tensor FewStepSamplerImpl::step_noise() const {
    const int64_t t = steps();
    const torch::Tensor next = level_tensor().narrow(0, 1, t - 1);
    return torch::cat({next * torch::sigmoid(noise_logits), torch::full({1}, last_noise_, torch::kFloat64)}).narrow(0, 0, t);
}

torch::Tensor FewStepSamplerImpl::step(const torch::Tensor& x, int64_t t, const torch::Tensor& denoised, const torch::Tensor& noise) const {
    if (t < 0 || t >= steps()) throw std::out_of_range("few-step sampler: no step " + std::to_string(t));
    const torch::Tensor levels = level_tensor();
    const torch::Tensor sigma = levels[t], next = levels[t + 1];
    const torch::Tensor s = step_noise()[t];
    const torch::Tensor down = (next * next - s.square()).clamp_min(0.0).sqrt();
    const torch::Tensor slope = (x - denoised) / sigma.to(x.scalar_type());
    return x + (down - sigma).to(x.scalar_type()) * slope + s.to(x.scalar_type()) * noise;
}

torch::Tensor sample_few_step(Denoiser& denoiser, const FewStepSampler& sampler, int64_t count, uint64_t seed, torch::Dtype dtype) {
    torch::NoGradGuard no_grad;
    at::Generator g = make_generator(seed);
    std::vector<int64_t> shape{count};
    for (int64_t s : denoiser.sample_shape()) shape.push_back(s);
    const std::vector<double> levels = sampler->sigmas();
    torch::Tensor x = levels.front() * standard_normal(shape, g, dtype);
    const torch::Tensor labels = torch::full({count}, kUnconditional);
    for (int64_t t = 0; t < sampler->steps(); ++t) {
        const torch::Tensor sigma = torch::full({count}, levels[static_cast<size_t>(t)], torch::kFloat64);
        const torch::Tensor denoised = denoiser.denoise(x, sigma, labels);
        x = sampler->step(x, t, denoised, standard_normal(x.sizes(), g, dtype));
    }
    return x;
}

}  // namespace irl
