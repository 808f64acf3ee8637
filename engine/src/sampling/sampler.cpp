#include "irl/engine/sampling/sampler.h"

#include "guided_denoise.h"
#include "irl/engine/core/random.h"
#include "solver_steps.h"
#include "core/tensor_options.h"

#include <torch/torch.h>

#include <chrono>
#include <limits>
#include <cmath>
#include <stdexcept>

namespace irl {
namespace {

using Clock = std::chrono::steady_clock;

void check_sigmas(const std::vector<double>& sigmas) {
    if (sigmas.size() < 2 || sigmas.back() != 0.0)
        throw std::invalid_argument("sampler: the sigma list needs at least one positive level and must end at 0");
    for (size_t i = 0; i + 1 < sigmas.size(); ++i)
        if (!(std::isfinite(sigmas[i]) && sigmas[i] > sigmas[i + 1]))
            throw std::invalid_argument("sampler: sigmas must be finite and strictly descending (index " +
                                        std::to_string(i) + ")");
}

// log(query / sigma) per level, 0 at the final sigma = 0: [levels + 1] float64; undefined when the
// settings have no query levels.
torch::Tensor query_shifts(const SamplerSettings& settings, int64_t levels) {
    if (settings.query_sigmas.empty()) return {};
    if (static_cast<int64_t>(settings.query_sigmas.size()) != levels)
        throw std::invalid_argument("sampler: " + std::to_string(settings.query_sigmas.size()) + " query levels for a schedule of " +
                                    std::to_string(levels) + " levels");
    std::vector<double> shifts;
    for (int64_t i = 0; i < levels; ++i) {
        const double q = settings.query_sigmas[static_cast<size_t>(i)];
        if (!(std::isfinite(q) && q > 0.0))
            throw std::invalid_argument("sampler: query levels must be positive numbers (index " + std::to_string(i) + ")");
        shifts.push_back(std::log(q / settings.sigmas[static_cast<size_t>(i)]));
    }
    shifts.push_back(0.0);
    return torch::tensor(shifts, kF64);
}

torch::Tensor check_labels(const Denoiser& denoiser, const SampleRequest& request) {
    if (!request.labels.defined() || request.labels.numel() == 0)
        return torch::full({request.count}, kUnconditional, torch::kInt64);
    torch::Tensor labels = request.labels.to(torch::kInt64).flatten();
    if (labels.size(0) != request.count)
        throw std::invalid_argument("sampler: " + std::to_string(labels.size(0)) + " labels for " +
                                    std::to_string(request.count) + " samples");
    const torch::Tensor conditional = labels != kUnconditional;
    if (conditional.any().item<bool>()) {
        if (denoiser.num_classes() == 0)
            throw std::invalid_argument("sampler: labels given but the denoiser '" + denoiser.identity() + "' is unconditional");
        const torch::Tensor out = conditional & ((labels < 0) | (labels >= denoiser.num_classes()));
        if (out.any().item<bool>())
            throw std::invalid_argument("sampler: labels must be -1 (unconditional) or 0.." +
                                        std::to_string(denoiser.num_classes() - 1));
    }
    return labels;
}

void check_controls(const StepControls& c, int64_t m) {
    for (const torch::Tensor* t : {&c.guidance, &c.churn, &c.stochasticity, &c.renoise, &c.skip, &c.start, &c.next})
        if (!t->defined() || t->dim() != 1 || t->size(0) != m)
            throw std::invalid_argument("sampler: the control function must return [" + std::to_string(m) +
                                        "] tensors for guidance, churn, stochasticity, renoise, skip, start and next");
}

// The highest level whose sigma is at most `start` (0 or above the first level: the first level).
torch::Tensor start_levels(const torch::Tensor& start, const std::vector<double>& sigmas) {
    const int64_t levels = static_cast<int64_t>(sigmas.size()) - 1;
    auto s = start.accessor<double, 1>();
    torch::Tensor out = torch::zeros({start.size(0)}, torch::kInt64);
    auto o = out.accessor<int64_t, 1>();
    for (int64_t i = 0; i < start.size(0); ++i) {
        if (!(s[i] > 0.0)) continue;
        int64_t level = 0;
        while (level + 1 < levels && sigmas[static_cast<size_t>(level)] > s[i]) ++level;
        o[i] = level;
    }
    return out;
}

}  // namespace

StepControls StepControls::broadcast(const StepControl& control, int64_t n) {
    return {torch::full({n}, control.guidance, kF64),           torch::full({n}, control.churn, kF64),
            torch::full({n}, control.stochasticity, kF64),      torch::full({n}, control.renoise, torch::kInt64),
            torch::full({n}, control.skip, torch::kInt64),      torch::full({n}, control.start, kF64),
            torch::full({n}, control.next, kF64)};
}

std::vector<double> schedule_taken(const torch::Tensor& path, int64_t sample) {
    std::vector<double> sigmas;
    if (!path.defined()) return sigmas;
    const torch::Tensor column = path.select(1, sample).contiguous();
    for (int64_t i = 0; i < column.size(0); ++i) {
        const double s = column[i].item<double>();
        if (std::isfinite(s)) sigmas.push_back(s);
    }
    sigmas.push_back(0.0);
    return sigmas;
}

double edm_churn_gamma(const EdmChurnRule& rule, double sigma, int64_t levels) {
    if (rule.s_churn <= 0.0 || sigma < rule.s_tmin || sigma > rule.s_tmax) return 0.0;
    return std::min(rule.s_churn / static_cast<double>(levels), std::sqrt(2.0) - 1.0);
}

torch::Tensor classes_in_turn(int64_t count, int64_t classes) {
    if (classes < 1) throw std::invalid_argument("classes_in_turn needs at least one class");
    return torch::arange(count, torch::kInt64) % classes;
}

double strength_to_sigma(const std::vector<double>& sigmas, double strength) {
    check_sigmas(sigmas);
    if (!(strength >= 0.0 && strength <= 1.0)) throw std::invalid_argument("strength must be in [0, 1], not " + std::to_string(strength));
    const int64_t nonzero = static_cast<int64_t>(sigmas.size()) - 1;  // sigmas end at 0
    // Level 0 is the highest: strength 1 is level 0, strength 0 the last nonzero level.
    const int64_t level = std::llround((1.0 - strength) * double(nonzero - 1));
    return sigmas[static_cast<size_t>(level)];
}

SampleResult sample(Denoiser& denoiser, const SamplerSettings& settings, const SampleRequest& request) {
    const auto start = Clock::now();
    check_sigmas(settings.sigmas);
    if (request.count < 1) throw std::invalid_argument("sampler: count must be >= 1");
    const int64_t n = request.count;
    torch::Tensor start_image;
    if (request.start_image) {
        std::vector<int64_t> one{1};
        for (int64_t s : denoiser.sample_shape()) one.push_back(s);
        const torch::Tensor& given = *request.start_image;
        if (given.dim() != static_cast<int64_t>(one.size()) || given.sizes().slice(1) != at::IntArrayRef(one).slice(1) ||
            (given.size(0) != 1 && given.size(0) != n))
            throw std::invalid_argument("sampler: the start picture must be [1 or count, the denoiser's sample shape]");
        std::vector<int64_t> full = one;
        full[0] = n;
        start_image = given.to(request.dtype).expand(full).contiguous();
        if (request.start_sigma == 0.0) {
            // Strength 0: the picture itself.
            SampleResult result;
            result.samples = start_image;
            result.evaluations = torch::zeros({n}, torch::kInt64);
            if (request.record_path) result.path = torch::zeros({0, n}, kF64);
            result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
            return result;
        }
    }
    const int64_t levels = static_cast<int64_t>(settings.sigmas.size()) - 1;
    const int64_t renoise_cap = settings.renoise_cap < 0 ? levels : settings.renoise_cap;
    const torch::Tensor labels = check_labels(denoiser, request);
    const torch::Tensor sigma_table = torch::tensor(settings.sigmas, kF64);
    const torch::Tensor shift_table = query_shifts(settings, levels);  // undefined without query levels

    std::vector<int64_t> shape{n};
    for (int64_t s : denoiser.sample_shape()) shape.push_back(s);
    at::Generator generator = make_generator(request.seed);
    torch::Tensor x;
    if (request.initial) {
        x = request.initial->to(request.dtype).clone();
        if (x.sizes() != at::IntArrayRef(shape)) throw std::invalid_argument("sampler: the initial state has the wrong shape");
    } else {
        x = settings.sigmas.front() * standard_normal(shape, generator, request.dtype);
    }

    torch::Tensor level = torch::zeros({n}, torch::kInt64);
    // Each sample's sigma: its level's, unless a Next action moved it off the schedule.
    torch::Tensor current = torch::full({n}, settings.sigmas.front(), kF64);
    torch::Tensor renoise_used = torch::zeros({n}, torch::kInt64);
    torch::Tensor previous_sigma = torch::zeros({n}, kF64);  // sigma the last step started from; 0 before the first
    torch::Tensor evaluations = torch::zeros({n}, torch::kInt64);
    torch::Tensor denoised = torch::zeros_like(x);
    detail::MultistepHistory history{torch::zeros_like(x), torch::zeros({n}, kF64), torch::zeros({n}, torch::kBool)};
    GuidedDenoise guided(denoiser, request.cancel, evaluations);
    detail::StepContext steps(guided, generator, settings);
    const bool edm_churn = settings.fixed.churn == 0.0 && settings.churn_rule.s_churn > 0.0 &&
                           (settings.solver == Solver::Euler || settings.solver == Solver::Heun);

    int64_t iteration = 0;
    std::vector<torch::Tensor> path;
    auto last_preview = Clock::now();
    bool previewed_once = false;
    double progress = 0.0;
    while (true) {
        const torch::Tensor active = (level < levels).nonzero().squeeze(1);
        if (active.numel() == 0) break;
        const int64_t m = active.size(0);
        torch::Tensor active_level = level.index_select(0, active);
        torch::Tensor sigma = current.index_select(0, active);

        StepControls fixed = StepControls::broadcast(settings.fixed, m);
        if (edm_churn) {
            auto accessor = sigma.accessor<double, 1>();
            auto churn = fixed.churn.accessor<double, 1>();
            for (int64_t i = 0; i < m; ++i) churn[i] = edm_churn_gamma(settings.churn_rule, accessor[i], levels);
        }
        detail::StepInputs in;
        in.index = active;
        in.labels = labels.index_select(0, active);
        in.x = x.index_select(0, active);
        // With a budget: a step that could not be followed by a further step and a last one is the last.
        const torch::Tensor spent = evaluations.index_select(0, active);
        const bool budgeted = settings.budget > 0;
        const torch::Tensor remaining = budgeted ? settings.budget - spent : torch::full({m}, kNoBudget);
        const torch::Tensor must_finish =
            budgeted ? remaining < step_evaluations(settings.solver, false, false) + step_evaluations(settings.solver, true, false)
                                 : torch::zeros({m}, torch::kBool);
        if (settings.control) {
            const torch::Tensor before = previous_sigma.index_select(0, active);
            const torch::Tensor previous_log_step = torch::where(before > 0, (before / sigma).log(), torch::zeros_like(sigma));
            StepState state{iteration, levels, in.x, sigma, active_level, in.labels, denoised.index_select(0, active), active,
                            remaining, must_finish, previous_log_step, spent};
            in.controls = settings.control(state, fixed);
            check_controls(in.controls, m);
            in.controls.guidance = in.controls.guidance.to(torch::kFloat64);
            in.controls.churn = in.controls.churn.to(torch::kFloat64);
            in.controls.stochasticity = in.controls.stochasticity.to(torch::kFloat64);
            in.controls.renoise = in.controls.renoise.to(torch::kInt64);
            in.controls.skip = in.controls.skip.to(torch::kInt64);
            in.controls.start = in.controls.start.to(torch::kFloat64);
            in.controls.next = in.controls.next.to(torch::kFloat64);
        } else {
            in.controls = fixed;
        }

        // A start picture: the user's start σ wins, and a Start action may only go lower.
        if (iteration == 0 && start_image.defined()) {
            const torch::Tensor user = torch::full_like(in.controls.start, request.start_sigma < 0.0 ? settings.sigmas.front() : request.start_sigma);
            in.controls.start = torch::where(in.controls.start > 0, torch::minimum(in.controls.start, user), user);
        }
        // Start: at the first step, scale the pure noise down to a lower starting level (no
        // function evaluation): N(0, sigma_0^2) scaled is N(0, sigma_start^2), a classic sampler's
        // start at that sigma_max.
        if (iteration == 0 && (in.controls.start > 0).any().item<bool>()) {
            const torch::Tensor target = start_levels(in.controls.start, settings.sigmas);
            const torch::Tensor sigma_start = sigma_table.index_select(0, target);
            in.x = in.x * per_sample(sigma_start / sigma, in.x).to(in.x.scalar_type());
            // From a picture: the picture plus that noise (SDEdit's x = x0 + sigma_start * eps).
            if (start_image.defined()) in.x = in.x + start_image.index_select(0, active);
            active_level = target;
            sigma = sigma_start;
        }
        // Renoise: jump back up k levels by adding sqrt(sigma_{i-k}^2 - sigma_i^2) noise, within the cap.
        torch::Tensor jump = torch::minimum(in.controls.renoise.clamp_min(0), active_level);
        jump = torch::minimum(jump, (renoise_cap - renoise_used.index_select(0, active)).clamp_min(0));
        if ((jump > 0).any().item<bool>()) {
            const torch::Tensor target = active_level - jump;
            const torch::Tensor sigma_up = sigma_table.index_select(0, target);
            const torch::Tensor extra = (sigma_up.square() - sigma.square()).sqrt();
            in.x = in.x + per_sample(extra, in.x).to(in.x.scalar_type()) * steps.noise_like(in.x);
            renoise_used.index_add_(0, active, jump);
            // Multistep history is stale after a jump.
            history.valid.index_put_({active.index({jump > 0})}, false);
            active_level = target;
            sigma = sigma_up;
        }
        in.sigma = sigma;
        if (request.record_path)
            path.push_back(torch::full({n}, std::numeric_limits<double>::quiet_NaN(), kF64).index_copy_(0, active, sigma));
        // Skip: down `skip` levels (to sigma = 0 at the end of the schedule), or straight to 0 on
        // the last step a budget pays for.
        torch::Tensor next_level = torch::minimum(active_level + in.controls.skip.clamp_min(1), torch::full_like(active_level, levels));
        next_level = torch::where(must_finish, torch::full_like(next_level, levels), next_level);
        in.sigma_next = sigma_table.index_select(0, next_level);
        if ((in.controls.next != 1.0).any().item<bool>()) {
            // Next: the next level's sigma scaled, at most half-way (in log sigma) to this step's
            // sigma and to the level after it; the last nonzero level at most halves.
            const torch::Tensor after = sigma_table.index_select(0, (next_level + 1).clamp_max(levels));
            const torch::Tensor low = torch::where(after > 0, (in.sigma_next * after).sqrt(), in.sigma_next * 0.5);
            const torch::Tensor high = (in.sigma_next * sigma).sqrt();
            const torch::Tensor moved = torch::minimum(torch::maximum(in.sigma_next * in.controls.next, low), high);
            in.sigma_next = torch::where(next_level < levels, moved, in.sigma_next);
        }
        if (shift_table.defined()) {
            in.shift = shift_table.index_select(0, active_level);
            in.shift_next = shift_table.index_select(0, next_level);
        }

        detail::StepOutputs out;
        switch (settings.solver) {
        case Solver::Euler: out = steps.euler_or_heun(in, false); break;
        case Solver::Heun: out = steps.euler_or_heun(in, true); break;
        case Solver::DpmSolver2M: out = steps.dpm_solver_2m(in, history); break;
        case Solver::EulerAncestral: out = steps.euler_ancestral(in); break;
        case Solver::Gddim: out = steps.gddim(in); break;
        }
        x.index_copy_(0, active, out.x_next);
        denoised.index_copy_(0, active, out.denoised);
        previous_sigma.index_copy_(0, active, sigma);
        current.index_copy_(0, active, in.sigma_next);
        level.index_copy_(0, active, next_level);
        ++iteration;

        if (request.on_step) {
            const bool last = !(level < levels).any().item<bool>();
            const auto now = Clock::now();
            const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_preview).count();
            if (last || !previewed_once || elapsed >= request.preview_interval_ms) {
                // Copies: the receiver may keep them (another thread) while x changes in place.
                torch::Tensor done = level.to(kF64) / double(levels);
                if (settings.budget > 0) done = torch::maximum(done, evaluations.to(kF64) / double(settings.budget));
                progress = last ? 1.0 : std::max(progress, done.clamp_max(1.0).mean().item<double>());
                request.on_step({iteration, levels, x.clone(), denoised.clone(), current.clone(), last, progress});
                last_preview = now;
                previewed_once = true;
            }
        }
    }

    SampleResult result;
    result.samples = x;
    result.evaluations = evaluations;
    result.nfe = evaluations.to(torch::kFloat64).mean().item<double>();
    result.denoiser_calls = guided.calls();
    result.iterations = iteration;
    if (request.record_path && !path.empty()) result.path = torch::stack(path);
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return result;
}

}  // namespace irl
