// The claim for learned schedules, on any testbed: schedules fitted to a many-step teacher (one
// per training seed, with and without query shifts) against their warm starts, every classic
// solver at the same NFE over sigma_max x rho (screened, the best rescored) and a schedule tuned
// by search, all scored in the same run on the same evaluation seeds, with the one verdict
// (sampler_comparison.h) for each learned variant.
#pragma once

#include "irl/engine/learning/irl/sampler_comparison.h"
#include "irl/engine/learning/schedule_fit/schedule_fit.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace irl {

struct ScheduleBenchPlan {
    ScheduleFitOptions fit;              // solver, NFE, teacher, pairs, iterations (seed and shifts set per row)
    std::vector<uint64_t> seeds{0};      // one fit per training seed: its start noises and batches
    std::vector<bool> shifts{true, false};  // the variants fitted: with query shifts, without
    // Where every fit starts. false: each fit's own screen (the grid schedule nearest its teacher on
    // its held-out pairs). true: the fit's solver over sigma_max x rho scored on `tuning` (other
    // data and seeds than the evaluation's), the best by its primary criterion; the screen's
    // evaluations count in every fit's cost.
    bool warm_start_on_tuning = false;
    // true: each fit keeps the parameters whose samples score best on `tuning` (its primary
    // criterion: FD on Fashion), not those nearest its teacher in pixels; those scorings count in
    // the fit's cost.
    bool keep_by_tuning_score = false;
    GridScreening screening;
    bool baselines = true;               // the classic grid and the tuned schedule
    int64_t tuning_budget = -1;          // the tuned schedule's evaluations; -1: as many as the costliest fit
    int tuning_grid = 64;
    // Rows kept in this folder as they are scored (stored_rows.h): a run started again with the same
    // setup scores only what is missing. Empty: none. `testbed` names the testbed in that setup.
    std::string rows_folder;
    std::string testbed;
    // Told of each row as it is scored, and of every fit's iterations.
    std::function<void(const std::string& name, const nlohmann::json& row)> on_row;
    std::function<void(const std::string& fit, const ScheduleFitProgress&)> on_iteration;
};

struct ScheduleBenchResult {
    int nfe = 0;
    nlohmann::json learned = nlohmann::json::array();  // one row per variant and training seed
    nlohmann::json pooled = nlohmann::json::array();   // one row per variant over every seed pair
    nlohmann::json warm_start;                         // the warm starts of the fits, pooled
    nlohmann::json warm_start_screen;                  // with warm_start_on_tuning: the grid scored on `tuning`
    nlohmann::json classic;
    std::vector<nlohmann::json> best_classic;          // by each criterion; the first is the baseline
    nlohmann::json tuned;
    nlohmann::json verdicts = nlohmann::json::array(); // one per variant
    int reused_rows = 0;                               // rows read back from plan.rows_folder
};

// Fits on `test`'s denoiser (never on its samples: the fit sees only its own teacher pairs, whose
// seeds must differ from the evaluation seeds), scores on `test`, tunes on `tuning`. Throws
// std::invalid_argument for repeated or overlapping seeds, Cancelled through the testbed's token,
// std::runtime_error when plan.rows_folder holds the rows of another setup.
ScheduleBenchResult run_schedule_bench(const Testbed& test, const Testbed& tuning, const ScheduleBenchPlan& plan);

}  // namespace irl
