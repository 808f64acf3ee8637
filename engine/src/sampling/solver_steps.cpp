#include "solver_steps.h"

#include "irl/engine/core/random.h"
#include "irl/engine/sampling/solver_updates.h"

#include <torch/torch.h>

namespace irl::detail {
namespace {

torch::Tensor cast_like(const torch::Tensor& values, const torch::Tensor& x) {
    return per_sample(values, x).to(x.scalar_type());
}

}  // namespace

torch::Tensor StepContext::noise_like(const torch::Tensor& x) {
    return standard_normal(x.sizes(), generator_, x.scalar_type());
}

torch::Tensor StepContext::denoise(const StepInputs& in, const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& shift) {
    return denoise_(x, shift.defined() ? sigma * shift.exp() : sigma, in.labels, in.controls.guidance, in.index);
}

StepOutputs StepContext::euler_or_heun(const StepInputs& in, bool heun) {
    // EDM Algorithm 2: raise sigma by churn gamma with fresh noise, Euler step, Heun correction.
    const torch::Tensor gamma = in.controls.churn.clamp_min(0.0);
    const torch::Tensor sigma_hat = in.sigma * (1.0 + gamma);
    torch::Tensor x_hat = in.x;
    if ((gamma > 0).any().item<bool>()) {
        const torch::Tensor extra = (sigma_hat.square() - in.sigma.square()).clamp_min(0.0).sqrt() * settings_.churn_rule.s_noise;
        x_hat = in.x + cast_like(extra, in.x) * noise_like(in.x);
    }
    const torch::Tensor denoised = denoise(in, x_hat, sigma_hat, in.shift);
    const torch::Tensor slope = ode_slope(x_hat, denoised, sigma_hat);
    torch::Tensor x_next = euler_move(x_hat, slope, sigma_hat, in.sigma_next);
    if (!heun) return {x_next, denoised};

    // The correction needs D at sigma_next, which does not exist on the last level (sigma = 0).
    const torch::Tensor corrected = (in.sigma_next > 0).nonzero().squeeze(1);
    if (corrected.numel() == 0) return {x_next, denoised};
    StepInputs sub;
    sub.labels = in.labels.index_select(0, corrected);
    sub.index = in.index.index_select(0, corrected);
    sub.controls.guidance = in.controls.guidance.index_select(0, corrected);
    const torch::Tensor sigma_next = in.sigma_next.index_select(0, corrected);
    const torch::Tensor x_euler = x_next.index_select(0, corrected);
    const torch::Tensor denoised_next =
        denoise(sub, x_euler, sigma_next, in.shift_next.defined() ? in.shift_next.index_select(0, corrected) : torch::Tensor());
    const torch::Tensor slope_next = ode_slope(x_euler, denoised_next, sigma_next);
    const torch::Tensor x_heun = euler_move(x_hat.index_select(0, corrected), 0.5 * (slope.index_select(0, corrected) + slope_next),
                                            sigma_hat.index_select(0, corrected), sigma_next);
    x_next = x_next.index_copy(0, corrected, x_heun);
    return {x_next, denoised.index_copy(0, corrected, denoised_next)};
}

StepOutputs StepContext::dpm_solver_2m(const StepInputs& in, MultistepHistory& history) {
    // DPM-Solver++(2M) (solver_updates.h), t = -log sigma: the first step of a sample and its step
    // to sigma = 0 use D itself.
    const torch::Tensor denoised = denoise(in, in.x, in.sigma, in.shift);
    const torch::Tensor t = -in.sigma.log();
    const torch::Tensor t_next = -in.sigma_next.log();  // +inf on the last level
    const torch::Tensor h = t_next - t;
    const torch::Tensor valid = history.valid.index_select(0, in.index) & (in.sigma_next > 0);
    const torch::Tensor h_last = t - history.t_previous.index_select(0, in.index);
    const torch::Tensor ratio = torch::where(valid, h_last / h, torch::ones_like(h));
    const torch::Tensor half_inverse = torch::where(valid, 0.5 / ratio, torch::zeros_like(h));
    const torch::Tensor previous = history.denoised.index_select(0, in.index);
    const torch::Tensor x_next = dpm_solver_2m_move(in.x, denoised, previous, half_inverse, in.sigma, in.sigma_next);

    history.denoised.index_copy_(0, in.index, denoised);
    history.t_previous.index_copy_(0, in.index, t);
    history.valid.index_fill_(0, in.index, true);
    return {x_next, denoised};
}

StepOutputs StepContext::euler_ancestral(const StepInputs& in) {
    // Step deterministically down to sigma_down, then add noise sigma_up, with
    // sigma_up^2 = eta^2 sigma_next^2 (sigma^2 - sigma_next^2) / sigma^2 and sigma_down^2 + sigma_up^2 = sigma_next^2.
    const torch::Tensor denoised = denoise(in, in.x, in.sigma, in.shift);
    const double eta = settings_.ancestral_eta;
    const torch::Tensor next2 = in.sigma_next.square();
    const torch::Tensor sigma_up =
        torch::minimum(in.sigma_next, eta * (next2 * (in.sigma.square() - next2) / in.sigma.square()).clamp_min(0.0).sqrt());
    const torch::Tensor sigma_down = (next2 - sigma_up.square()).clamp_min(0.0).sqrt();
    torch::Tensor x_next = euler_move(in.x, ode_slope(in.x, denoised, in.sigma), in.sigma, sigma_down);
    x_next = x_next + cast_like(sigma_up, in.x) * noise_like(in.x);
    return {x_next, denoised};
}

StepOutputs StepContext::gddim(const StepInputs& in) {
    const torch::Tensor denoised = denoise(in, in.x, in.sigma, in.shift);
    return {gddim_step(in.x, denoised, in.sigma, in.sigma_next, in.controls.stochasticity, noise_like(in.x)), denoised};
}

}  // namespace irl::detail

namespace irl {

torch::Tensor ode_slope(const torch::Tensor& x, const torch::Tensor& denoised, const torch::Tensor& sigma) {
    return (x - denoised) / per_sample(sigma, x).to(x.scalar_type());
}

torch::Tensor euler_move(const torch::Tensor& x, const torch::Tensor& slope, const torch::Tensor& sigma,
                         const torch::Tensor& sigma_next) {
    return x + per_sample(sigma_next - sigma, x).to(x.scalar_type()) * slope;
}

torch::Tensor dpm_solver_2m_move(const torch::Tensor& x, const torch::Tensor& denoised, const torch::Tensor& previous,
                                 const torch::Tensor& k, const torch::Tensor& sigma, const torch::Tensor& sigma_next) {
    auto as_x = [&](const torch::Tensor& v) { return per_sample(v, x).to(x.scalar_type()); };
    const torch::Tensor extrapolated = as_x(1.0 + k) * denoised - as_x(k) * previous;
    const torch::Tensor ratio = sigma_next / sigma;
    return as_x(ratio) * x + as_x(1.0 - ratio) * extrapolated;
}

torch::Tensor gddim_step(const torch::Tensor& x, const torch::Tensor& denoised, const torch::Tensor& sigma,
                         const torch::Tensor& sigma_next, const torch::Tensor& lambda, const torch::Tensor& noise) {
    const torch::Tensor lambda2 = lambda.to(torch::kFloat64).clamp_min(0.0).square();
    const torch::Tensor r = sigma_next.to(torch::kFloat64) / sigma.to(torch::kFloat64);
    const torch::Tensor keep = r.pow(1.0 + lambda2);                              // r^(1+lambda^2)
    const torch::Tensor fresh = sigma_next * (1.0 - r.pow(2.0 * lambda2)).clamp_min(0.0).sqrt();
    auto as_x = [&](const torch::Tensor& v) { return per_sample(v, x).to(x.scalar_type()); };
    return denoised + as_x(keep) * (x - denoised) + as_x(fresh) * noise;
}

}  // namespace irl
