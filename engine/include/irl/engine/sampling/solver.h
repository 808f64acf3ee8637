// The solvers by name, EDM's churn rule, budgets and what a step costs: the facts about a sampler
// that settings, files and front ends need, in a header without LibTorch (sampler.h has the rest).
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace irl {

// Its names: the table in solver.cpp (a new value goes there too).
enum class Solver { Euler, Heun, DpmSolver2M, EulerAncestral, Gddim };
const char* to_string(Solver solver);
// Accepts the names of to_string; throws std::invalid_argument listing them otherwise.
Solver solver_from_string(const std::string& name);
std::vector<std::string> solver_names();

// EDM's churn rule (Karras et al. 2022, Alg. 2): gamma_i = min(S_churn / N, sqrt(2) - 1)
// for S_tmin <= sigma_i <= S_tmax, else 0.
struct EdmChurnRule {
    double s_churn = 0.0;
    double s_tmin = 0.0;
    double s_tmax = std::numeric_limits<double>::infinity();
    double s_noise = 1.0;
};

// A budget of function evaluations that is no budget (SamplerSettings::budget, Policy::budget).
inline constexpr int64_t kNoBudget = -1;
// A budget as every part of the studio reads it: any value below 1 is none.
inline constexpr int64_t budget_or_none(int64_t budget) { return budget > 0 ? budget : kNoBudget; }

// Function evaluations of one step: Heun corrects (twice) except on the step to sigma = 0, and a
// guided step calls the model twice.
int64_t step_evaluations(Solver solver, bool to_zero, bool guided);

}  // namespace irl
