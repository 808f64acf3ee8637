// What a learned sampler is compared with, scored the same way in the same run: every classic
// solver at the same number of function evaluations over sigma_max x rho (and EDM's defaults),
// and a tuned-schedule baseline whose search counts its function evaluations. Every row is the
// mean over evaluation seeds with the spread (max - min) beside it.
#pragma once

#include "irl/engine/core/cancel.h"
#include "irl/engine/learning/irl/policy.h"
#include "irl/engine/models/denoiser.h"
#include "irl/engine/sampling/sampler.h"

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include <functional>
#include <string>
#include <vector>

namespace irl::cli {

// How samples are drawn and scored: the same for every row of a comparison.
struct Testbed {
    Denoiser* denoiser = nullptr;
    int64_t count = 1000;
    torch::Tensor labels;  // [count] asked classes, or undefined (unconditional)
    torch::Dtype dtype = torch::kFloat32;
    std::vector<uint64_t> seeds;  // evaluation seeds (never used in training)
    // Metrics of one set of samples, e.g. {"mmd2": ..., "mean_log_density": ...}; lower `primary` is better.
    std::function<nlohmann::json(const torch::Tensor& samples, const torch::Tensor& labels)> metrics;
    std::string primary;
    const CancelToken* cancel = nullptr;
};

// The sampler (or, with `policy`, the policy on it) over every evaluation seed: each metric's mean
// and its spread, "nfe", and "evaluations" (function evaluations all the seeds spent).
nlohmann::json score_sampler(const Testbed& testbed, const SamplerSettings& settings, Policy* policy = nullptr, double temperature = 0.0);

// Every classic solver at about `nfe` function evaluations (Heun: 2 per step, 1 on the last), over
// sigma_max in {2, 5, 10, 20, 80} x rho in {1, 3, 5, 7} (EDM's defaults are sigma_max 80, rho 7).
nlohmann::json classic_grid(const Testbed& testbed, int nfe, const std::vector<Solver>& solvers, double sigma_min = 0.002);
// The row with the lowest `key` (a metric name), or of `keys`'s first by absolute value when
// `absolute` (for a gap such as the log-density distance to true samples).
nlohmann::json best_row(const nlohmann::json& rows, const std::string& key, bool absolute = false);

// The tuned-schedule baseline: coordinate descent over a fine Karras grid of `grid_levels` levels
// for `solver` at `nfe`, scored on `tuning` (other data and seeds than the testbed's), at most
// `max_evaluations` spent; the winner is then scored on `testbed`.
nlohmann::json tuned_schedule(const Testbed& tuning, const Testbed& testbed, Solver solver, int nfe, int grid_levels,
                              int64_t max_evaluations, double sigma_min = 0.002, double sigma_max = 80.0);

// One line on stderr per row, for watching a long bench.
void print_row(const std::string& name, const nlohmann::json& row, const std::vector<std::string>& keys);

}  // namespace irl::cli
