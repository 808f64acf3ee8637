// The claim for IRL sampling policies under the protocol (`bench claim --method irl`): each policy
// starts where a user would (the best schedule for its solver and the best constant of its own
// actions, both chosen on the tuning testbed, never on the evaluation seeds), keeps only what
// validation confirms, and is scored against its start, the best classic solver at the same NFE,
// the best constant of its action space and a schedule tuned by search, all in the same run on the
// same evaluation seeds, with the one verdict (sampler_comparison.h).
#pragma once

#include "irl/engine/learning/irl/policy_training.h"
#include "irl/engine/learning/irl/sampler_comparison.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace irl {

// A solver and the actions a policy on it takes, for a start searched across solvers.
struct PolicyCandidate {
    Solver solver = Solver::Gddim;
    ActionSpace actions;
};

struct PolicyClaimPlan {
    // The method: solver, actions, policy kind, divergence, iterations, rates. The schedule, the
    // start, the seed, the validation and the files are set per training seed.
    PolicyTrainingOptions training;
    int nfe = 5;
    std::vector<uint64_t> seeds{0};  // one policy per training seed
    std::function<torch::Tensor(uint64_t seed)> expert;  // the expert data of a training seed
    // The start's schedule (e.g. a learned schedule file's levels for the solver); empty: the
    // best of the classic sigma_max x rho grid for the solver on the tuning testbed.
    std::vector<double> start_schedule;
    std::vector<double> start_query_sigmas;  // where its steps query the denoiser (a learned file's shifts); empty: at the levels
    // When not empty, the start is searched for each (its schedule, then its constants) and the
    // policies take the winner's solver and actions, so that they start from the best classic
    // solver they can express; empty: training's solver and actions only.
    std::vector<PolicyCandidate> candidates;
    // The constants tried on the start's schedule when the action space has at most this many.
    size_t constant_limit = 64;
    double start_probability = 0.5;  // the start's probability in the untrained policy
    // Policies trained per training seed (seeds seed * 1000 + r), the one of the best validation
    // kept: exploration by restarts, every restart's cost counted.
    int restarts = 1;
    int64_t validation_count = 0;    // greedy samples per validation; 0: the tuning testbed's count
    // Checkpoints and policy files per training seed (seed-K.ckpt, seed-K-policy.pt), resumed
    // when they exist, and the classic grid and tuned schedules as they are scored (stored_rows.h:
    // read back by a run of the same testbed, NFE and screening); empty: none. `testbed` names
    // the testbed there.
    std::string checkpoint_dir;
    std::string testbed;
    GridScreening screening;         // the classic grid on the test testbed
    bool baselines = true;           // the classic grid and the tuned schedules
    // The tuned schedule is searched with as many evaluations as the costliest policy spent in all
    // (start search, training, validation) and, when above 0, also with this many.
    int64_t full_tuning_budget = 0;
    int tuning_grid = 64;
    std::function<void(const std::string& name, const nlohmann::json& row)> on_row;
    std::function<void(const std::string& policy, const PolicyTrainingProgress&)> on_iteration;
};

struct PolicyClaimResult {
    int nfe = 0;
    // The start: "solver", "sigmas", "actions" (the choice, described), "search_evaluations" (on the
    // tuning testbed, every candidate's) and its score on the test testbed.
    nlohmann::json start;
    nlohmann::json constants = nlohmann::json::array();  // every constant on the start's schedule, on the test testbed
    nlohmann::json best_constant;
    nlohmann::json learned = nlohmann::json::array();  // one row per training seed
    nlohmann::json pooled;                             // over every pair of training seed and evaluation seed
    nlohmann::json classic;
    std::vector<nlohmann::json> best_classic;          // by each criterion; the first is the baseline
    nlohmann::json tuned;                              // at the policies' cost
    nlohmann::json tuned_full;                         // at full_tuning_budget (null when 0)
    int reused_rows = 0;                               // baseline rows read back from checkpoint_dir
    // "<criterion>_vs_best_classic" per criterion, "<primary>_over_start", "_vs_best_constant",
    // "_vs_tuned_schedule", "_vs_tuned_full"; "holds": against the best classic and over the start.
    nlohmann::json verdict;
};

// Throws std::invalid_argument for repeated or overlapping seeds, Cancelled through the testbeds'
// token, std::runtime_error naming a checkpoint of another setup.
PolicyClaimResult run_policy_claim(const Testbed& test, const Testbed& tuning, const PolicyClaimPlan& plan);

}  // namespace irl
