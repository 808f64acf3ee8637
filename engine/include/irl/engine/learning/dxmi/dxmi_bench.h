// The claim for DxMI on a 2-D toy (issue #44): a T-step DxMI sampler per training seed, with the
// MLP denoiser fitted to the toy and fine-tuned, and with the exact denoiser (only the step noises
// learn), against its own untrained start and every classic solver at the same NFE, all scored in
// the same run on the same evaluation seeds, with the one verdict (sampler_comparison.h).
#pragma once

#include "irl/engine/learning/dxmi/dxmi_trainer.h"
#include "irl/engine/learning/dxmi/toy_denoiser_fit.h"
#include "irl/engine/learning/irl/sampler_comparison.h"
#include "irl/engine/models/gaussian_mixture.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace irl {

struct DxmiBenchPlan {
    DxmiOptions dxmi;                          // rates, taus, batch, iterations (levels, seed and files set here)
    int steps = 4;                             // T = the sampler's NFE
    std::vector<uint64_t> seeds{0};            // one run per training seed and variant: its data, fit and batches
    std::vector<bool> fine_tune{true, false};  // the variants: MLP fitted and fine-tuned; the exact denoiser
    MlpFitOptions fit;                         // the MLP's fit (its seed is the training seed)
    // Entropy weights to choose from: each run trains one sampler per value from the same start and
    // keeps the best by the tuning testbed's primary criterion (never the evaluation's); all are paid
    // for. Empty: dxmi.tau1 alone.
    std::vector<double> tau1_choices;
    int64_t data_count = 50000;                // training points per seed, drawn apart from every scoring set
    bool baselines = true;                     // the classic grid
    GridScreening screening;
    std::function<void(const std::string& name, const nlohmann::json& row)> on_row;
    std::function<void(const std::string& run, const DxmiIteration&)> on_iteration;
};

struct DxmiBenchResult {
    int nfe = 0;
    std::vector<double> start_sigmas;              // Euler's best schedule on the tuning data: every run's levels
    nlohmann::json start_screen;                   // Euler over the classic grid on the tuning data
    nlohmann::json learned = nlohmann::json::array();  // one row per variant and training seed
    nlohmann::json pooled = nlohmann::json::array();   // one row per variant over every seed pair
    nlohmann::json starts = nlohmann::json::array();   // per variant: the untrained sampler, pooled over seeds
    nlohmann::json classic;
    std::vector<nlohmann::json> best_classic;          // by each criterion; the first is the baseline
    nlohmann::json verdicts = nlohmann::json::array(); // per variant: over its start and vs the best classic, each criterion
};

// Trains on `mixture`'s samples (never on the testbeds' truth), chooses the levels on `tuning`,
// scores on `test` (an unconditional toy testbed). Throws std::invalid_argument for repeated or
// overlapping seeds, Cancelled through the testbed's token.
DxmiBenchResult run_dxmi_bench(const Testbed& test, const Testbed& tuning, const GaussianMixture& mixture, const std::string& toy_name,
                               const DxmiBenchPlan& plan);

}  // namespace irl
