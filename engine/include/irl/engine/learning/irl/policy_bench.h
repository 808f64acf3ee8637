// The IRL benchmark on any testbed: policies learned by inverse RL (one per training seed and
// divergence) against every fixed choice of the same actions, every classic solver at the same
// number of function evaluations and a schedule tuned with as many evaluations as training spent,
// all scored in the same run on the same testbed and evaluation seeds, with one verdict per
// divergence over its policies of every training seed.
#pragma once

#include "irl/engine/learning/irl/policy_training.h"
#include "irl/engine/learning/irl/sampler_comparison.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace irl {

struct PolicyBenchPlan {
    PolicyTrainingOptions training;  // the base of every learned policy (seed and divergence set per policy)
    std::vector<uint64_t> seeds;     // one policy per training seed ...
    std::vector<DivergenceSpec> divergences;  // ... and divergence
    std::function<torch::Tensor(uint64_t seed)> expert;  // the expert data of a training seed
    size_t fixed_grid_limit = 256;   // the fixed choices are all scored when there are at most this many
    // The classic grid is screened on fewer samples, and its best rows scored on the whole test
    // testbed. The baseline is the best of those by its score there: the strongest a user could
    // have picked, chosen with hindsight, so that it can only make a claim harder.
    GridScreening screening;
    bool baselines = true;           // the classic grid and the tuned schedule
    bool sampled = false;            // also score each policy sampled at temperature 1
    int classic_nfe = 0;             // 0: the budget, or the mean NFE the learned policies reached
    int64_t tuning_budget = -1;      // the tuned schedule's evaluations; -1: as many as the longest training spent
    int tuning_grid = 64;            // levels of the fine grid the tuned schedule is chosen from
    // Told of each row as it is scored ("fixed ...", "learned ...", "classic ...", "best classic ...",
    // "tuned schedule ..."), for watching a long bench, and of every training iteration.
    std::function<void(const std::string& name, const nlohmann::json& row)> on_row;
    std::function<void(const std::string& policy, const PolicyTrainingProgress&)> on_iteration;
};

struct PolicyBenchResult {
    int nfe = 0;                     // the classic solvers' and the tuned schedule's budget
    nlohmann::json fixed_grid = nlohmann::json::array();
    int64_t fixed_grid_evaluations = 0;
    nlohmann::json best_fixed;
    nlohmann::json learned = nlohmann::json::array();  // one row per training seed and divergence
    // One row per divergence: its policies of every training seed on every evaluation seed (pool_rows).
    nlohmann::json pooled = nlohmann::json::array();
    nlohmann::json classic;          // every classic row (classic_grid: screened, the best rescored)
    // The best classic row by each criterion on the test testbed; the first is "best classic".
    std::vector<nlohmann::json> best_classic;
    nlohmann::json tuned;
    nlohmann::json verdicts = nlohmann::json::array();  // one per pooled row
};

// Runs the plan on `test`, choosing what is tuned on `tuning`. Throws Cancelled through the
// testbeds' cancel token.
PolicyBenchResult run_policy_bench(const Testbed& test, const Testbed& tuning, const PolicyBenchPlan& plan);

}  // namespace irl
