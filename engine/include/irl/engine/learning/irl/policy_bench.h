// The IRL benchmark on any testbed: policies learned by inverse RL (one per training seed and
// divergence) against every fixed choice of the same actions, every classic solver at the same
// number of function evaluations and a schedule tuned with as many evaluations as training spent,
// all scored in the same run on the same testbed, with a verdict per learned policy.
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
    // Score the policy of training seed k on evaluation seed k alone (large image testbeds), or
    // every policy on all of them.
    bool one_evaluation_seed_per_policy = false;
    // Choose the best classic settings on the tuning testbed and score them on the test one, or
    // pick them on the test testbed itself.
    bool classic_chosen_on_tuning = false;
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
    nlohmann::json learned = nlohmann::json::array();
    nlohmann::json classic;          // every classic row, on the testbed it was chosen on
    // The best classic row by each criterion, scored on the test testbed; the first is "best classic".
    std::vector<nlohmann::json> best_classic;
    nlohmann::json tuned;
    nlohmann::json verdicts = nlohmann::json::array();
};

// Runs the plan on `test`, choosing what is tuned on `tuning`. Throws Cancelled through the
// testbeds' cancel token.
PolicyBenchResult run_policy_bench(const Testbed& test, const Testbed& tuning, const PolicyBenchPlan& plan);

}  // namespace irl
