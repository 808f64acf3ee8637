#include "irl/engine/learning/schedule_fit/differentiable_schedule.h"

#include "core/tensor_options.h"
#include "irl/engine/models/denoiser.h"
#include "irl/engine/sampling/solver_updates.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace irl {
namespace {

}  // namespace

DifferentiableSchedule::DifferentiableSchedule(double floor, torch::Tensor span, torch::Tensor logits, torch::Tensor shifts,
                                               bool shifts_learned)
    : floor_(floor), span_(std::move(span)), logits_(std::move(logits)), shifts_(std::move(shifts)), shifts_learned_(shifts_learned) {}

DifferentiableSchedule::DifferentiableSchedule(const DifferentiableSchedule& other)
    : floor_(other.floor_),
      span_(other.span_.detach().clone().requires_grad_(true)),
      logits_(other.logits_.detach().clone().requires_grad_(true)),
      shifts_(other.shifts_.detach().clone().requires_grad_(other.shifts_learned_)),
      shifts_learned_(other.shifts_learned_) {}

DifferentiableSchedule& DifferentiableSchedule::operator=(const DifferentiableSchedule& other) {
    if (this != &other) *this = DifferentiableSchedule(other);
    return *this;
}

DifferentiableSchedule DifferentiableSchedule::from_sigmas(const std::vector<double>& sigmas, bool shifts) {
    std::vector<double> levels(sigmas);
    if (!levels.empty() && levels.back() == 0.0) levels.pop_back();
    if (levels.empty()) throw std::invalid_argument("a learned schedule needs at least one noise level above 0");
    for (size_t i = 0; i < levels.size(); ++i) {
        if (!(levels[i] > 0.0) || !std::isfinite(levels[i]) || (i > 0 && !(levels[i] < levels[i - 1])))
            throw std::invalid_argument("a learned schedule starts from strictly descending positive levels (level " +
                                        std::to_string(i + 1) + " is " + std::to_string(levels[i]) + ")");
    }
    const double floor = std::min(1e-3, levels.back() / 2.0);
    const double total = std::log(levels.front() / floor);
    std::vector<double> shares;
    for (size_t i = 0; i + 1 < levels.size(); ++i) shares.push_back(std::log(levels[i] / levels[i + 1]) / total);
    shares.push_back(std::log(levels.back() / floor) / total);
    const int64_t n = static_cast<int64_t>(levels.size());
    torch::Tensor span = torch::tensor(std::log(total), kF64).requires_grad_(true);
    torch::Tensor logits = torch::tensor(shares, kF64).log().requires_grad_(true);
    torch::Tensor shift = torch::zeros({n}, kF64).requires_grad_(shifts);
    return DifferentiableSchedule(floor, span, logits, shift, shifts);
}

torch::Tensor DifferentiableSchedule::sigmas() const {
    const torch::Tensor total = span_.exp();
    const torch::Tensor shares = torch::softmax(logits_, 0);
    // log sigma_1 = log floor + total; each next level one share lower; the last share is not used.
    const torch::Tensor drops = torch::cat({torch::zeros({1}, kF64), torch::cumsum(shares.narrow(0, 0, levels() - 1), 0)});
    const torch::Tensor levels = (std::log(floor_) + total * (1.0 - drops)).exp();
    return torch::cat({levels, torch::zeros({1}, kF64)});
}

torch::Tensor DifferentiableSchedule::query_sigmas() const { return sigmas().narrow(0, 0, levels()) * shifts_.exp(); }

std::vector<torch::Tensor> DifferentiableSchedule::parameters() const {
    std::vector<torch::Tensor> learned{span_, logits_};
    if (shifts_learned_) learned.push_back(shifts_);
    return learned;
}

std::vector<double> DifferentiableSchedule::sigma_list() const { return to_double_list(sigmas()); }
std::vector<double> DifferentiableSchedule::query_list() const { return to_double_list(query_sigmas()); }

torch::Tensor DifferentiableSchedule::state() const {
    return torch::cat({span_.detach().reshape({1}), logits_.detach(), shifts_.detach()});
}

void DifferentiableSchedule::load_state(const torch::Tensor& state) {
    if (state.dim() != 1 || state.size(0) != 1 + 2 * levels())
        throw std::invalid_argument("a learned schedule of " + std::to_string(levels()) + " levels has " +
                                    std::to_string(1 + 2 * levels()) + " parameters, not " + std::to_string(state.numel()));
    torch::NoGradGuard no_grad;
    const torch::Tensor s = state.to(torch::kFloat64);
    span_.copy_(s[0]);
    logits_.copy_(s.narrow(0, 1, levels()));
    shifts_.copy_(s.narrow(0, 1 + levels(), levels()));
}

int64_t schedule_fit_nfe(Solver solver, int64_t levels) {
    int64_t nfe = 0;
    for (int64_t i = 0; i < levels; ++i) nfe += step_evaluations(solver, i + 1 == levels, false);
    return nfe;
}

int64_t schedule_fit_levels(Solver solver, int64_t nfe) {
    if (solver != Solver::Euler && solver != Solver::Heun && solver != Solver::DpmSolver2M)
        throw std::invalid_argument(std::string("a schedule is fitted through a deterministic solver (euler, heun or dpmpp-2m), not '") +
                                    to_string(solver) + "'");
    for (int64_t levels = 1; levels <= nfe; ++levels)
        if (schedule_fit_nfe(solver, levels) == nfe) return levels;
    throw std::invalid_argument(std::string("no schedule gives ") + std::to_string(nfe) + " function evaluations with " +
                                to_string(solver) + (solver == Solver::Heun ? " (Heun spends an odd number: 2 per level, 1 on the last)" : ""));
}

torch::Tensor solve_with_gradients(Denoiser& denoiser, Solver solver, const torch::Tensor& sigmas, const torch::Tensor& query_sigmas,
                                   const torch::Tensor& x_start, const torch::Tensor& labels) {
    const int64_t n = x_start.size(0);
    const int64_t levels = sigmas.size(0) - 1;
    auto level = [&](const torch::Tensor& values, int64_t i) { return values[i].expand({n}); };
    auto denoise_at = [&](const torch::Tensor& x, int64_t i) {
        return denoiser.denoise_with_gradients(x, level(query_sigmas, i), labels);
    };
    torch::Tensor x = x_start;
    torch::Tensor previous;  // DPM-Solver++(2M): the last estimate
    for (int64_t i = 0; i < levels; ++i) {
        const torch::Tensor sigma = level(sigmas, i), sigma_next = level(sigmas, i + 1);
        const bool to_zero = i + 1 == levels;
        const torch::Tensor denoised = denoise_at(x, i);
        switch (solver) {
        case Solver::Euler:
        case Solver::Heun: {
            const torch::Tensor slope = ode_slope(x, denoised, sigma);
            const torch::Tensor x_euler = euler_move(x, slope, sigma, sigma_next);
            if (solver == Solver::Euler || to_zero) {
                x = x_euler;
            } else {
                const torch::Tensor slope_next = ode_slope(x_euler, denoise_at(x_euler, i + 1), sigma_next);
                x = euler_move(x, 0.5 * (slope + slope_next), sigma, sigma_next);
            }
            break;
        }
        case Solver::DpmSolver2M: {
            torch::Tensor k = torch::zeros_like(sigma);
            if (i > 0 && !to_zero) {
                const torch::Tensor h = (sigmas[i] / sigmas[i + 1]).log();
                const torch::Tensor h_previous = (sigmas[i - 1] / sigmas[i]).log();
                k = (0.5 * h / h_previous).expand({n});
            }
            x = dpm_solver_2m_move(x, denoised, i > 0 ? previous : denoised, k, sigma, sigma_next);
            previous = denoised;
            break;
        }
        default:
            throw std::invalid_argument(std::string("a schedule is fitted through euler, heun or dpmpp-2m, not '") + to_string(solver) + "'");
        }
    }
    return x;
}

}  // namespace irl
