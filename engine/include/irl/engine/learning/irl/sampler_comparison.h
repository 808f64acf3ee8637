// How a learned sampler is compared, scored the same way in the same run: a testbed (toy or
// images) that draws and scores samples over its evaluation seeds, every classic solver at the
// same number of function evaluations, a schedule tuned by search at a counted cost, and the
// verdict that a margin holds only when it exceeds the spread across seeds.
#pragma once

#include "irl/engine/core/cancel.h"
#include "irl/engine/learning/irl/policy.h"
#include "irl/engine/models/denoiser.h"
#include "irl/engine/models/fashion_classifier.h"
#include "irl/engine/models/gaussian_mixture.h"
#include "irl/engine/sampling/sampler.h"
#include "irl/engine/sampling/schedule_search.h"

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace irl {

// A metric a comparison ranks by: lower is better, or nearer to 0 when `absolute` (a gap).
struct Criterion {
    std::string key;
    bool absolute = false;
};

// What a row (or one set's metrics) is ranked by under `criterion`, lower is better: the value,
// or its size for an absolute criterion; a score that is not a number ranks last.
double ranked_value(const nlohmann::json& row, const Criterion& criterion);

// How samples are drawn and scored: the same for every row of a comparison.
struct Testbed {
    Denoiser* denoiser = nullptr;
    int64_t count = 1000;
    torch::Tensor labels;  // [count] asked classes, or undefined (unconditional)
    torch::Dtype dtype = torch::kFloat32;
    std::vector<uint64_t> seeds;  // evaluation seeds (never used in training)
    // Metrics of one set of samples, e.g. {"mmd2": ..., "mean_log_density": ...}.
    std::function<nlohmann::json(const torch::Tensor& samples, const torch::Tensor& labels)> metrics;
    std::vector<Criterion> criteria;  // what rows are ranked by, the primary one first
    std::vector<std::string> shown;   // the metrics a bench prints per row
    const CancelToken* cancel = nullptr;
    const std::string& primary() const { return criteria.front().key; }
};

// The toys' MMD^2: a multi-scale Gaussian kernel with bandwidths for data of unit scale.
double toy_mmd_squared(const torch::Tensor& samples, const torch::Tensor& truth);
// A toy testbed on the exact mixture: MMD^2 against `truth` (fresh true samples), the exact mean
// log density and its gap to the truth's, k-NN precision and recall. Ranked by MMD^2, then by the
// absolute log-density gap. Samples in float64, unconditional.
Testbed toy_testbed(Denoiser& denoiser, const GaussianMixture& mixture, torch::Tensor truth, std::vector<uint64_t> seeds,
                    const CancelToken* cancel = nullptr);
// An image testbed: FD, precision, recall and class accuracy through the metrics classifier
// against `real_features` (classify() of real images), classes asked in turn; ranked by FD.
Testbed image_testbed(Denoiser& denoiser, FashionClassifier classifier, torch::Tensor real_features, int64_t count,
                      std::vector<uint64_t> seeds, const CancelToken* cancel = nullptr);

// The sampler (or, with `policy`, the policy on it) over every evaluation seed: each metric's mean
// and its spread (max - min), "nfe", "evaluations" (function evaluations all the seeds spent) and
// "per_seed" (each metric's value on each seed).
nlohmann::json score_sampler(const Testbed& testbed, const SamplerSettings& settings, Policy* policy = nullptr, double temperature = 0.0);
// The same for a sampler that is not SamplerSettings (DxMI's few-step sampler): `draw(seed)` gives
// the testbed's `count` samples for one evaluation seed, each of which cost `nfe` evaluations.
nlohmann::json score_samples(const Testbed& testbed, const std::function<torch::Tensor(uint64_t seed)>& draw, double nfe);
// Rows of one method trained on several seeds, as one row: every pair of training seed and
// evaluation seed is one value, the mean is over all pairs and the spread is max - min over all
// pairs; "seeds" counts the pairs, "evaluations" sums, "nfe" averages.
nlohmann::json pool_rows(const std::vector<nlohmann::json>& rows);

// Refuses a list that repeats a value (`what`: "the training seeds"), with std::invalid_argument:
// a repeated seed or divergence would count one measurement twice in a pooled row's spread.
template <typename T>
void require_distinct(std::vector<T> values, const std::string& what) {
    std::sort(values.begin(), values.end());
    if (std::adjacent_find(values.begin(), values.end()) != values.end())
        throw std::invalid_argument(what + " repeat one: each must differ");
}

// The steps a solver takes for about `nfe` function evaluations (the most whose evaluations,
// the cheaper last step included, stay within nfe; at least one).
int steps_for_evaluations(Solver solver, int nfe);
// The solvers a user can pick for a comparison (gDDIM at stochasticity 0 is Euler).
const std::vector<Solver>& classic_solvers();
// How the classic grid is screened: every setting is scored on `count` samples of the first
// evaluation seed, then the best `rescored` by each criterion on the whole testbed. count 0 (or
// the testbed's own size and one seed): no screening, every setting on the whole testbed.
struct GridScreening {
    int64_t count = 0;
    int rescored = 3;
};
// Every classic solver at about `nfe` function evaluations over sigma_max in {2, 5, 10, 20, 80}
// x rho in {1, 3, 5, 7} (EDM's defaults are sigma_max 80, rho 7), scored on `testbed`. Each row
// says whether it was "rescored" on the whole testbed; a row left at its screening score has
// "rescored" false and its "screening_count".
nlohmann::json classic_grid(const Testbed& testbed, int nfe, const std::vector<Solver>& solvers, const GridScreening& screening = {},
                            double sigma_min = 0.002);
// The settings of a classic_grid row.
SamplerSettings classic_settings(const nlohmann::json& row, double sigma_min = 0.002);
// The row that ranks best by `criterion`, among the rows scored on the whole testbed (a row with
// "rescored" false is not); null when no row has it.
nlohmann::json best_row(const nlohmann::json& rows, const Criterion& criterion);
// A learned method's start chosen on tuning data: `solver` over the classic grid at `nfe`, scored on
// `tuning`, the best by its primary criterion, and what the screen spent (it counts in the method's
// cost). Throws std::runtime_error when no grid schedule has a finite score there.
struct GridStart {
    nlohmann::json rows;
    nlohmann::json best;
    std::vector<double> sigmas;
    int64_t evaluations = 0;
};
GridStart grid_start(const Testbed& tuning, int nfe, Solver solver);
// Refuses (std::invalid_argument) an empty or repeated list of training seeds, repeated evaluation
// seeds, and a training seed that is also an evaluation seed (its noises would be scored). `what`
// names the bench in the message: "the schedule bench".
void require_separate_seeds(const std::vector<uint64_t>& training, const std::vector<uint64_t>& evaluation, const std::string& what);
// best_row by each of `criteria`, in their order: a claim's baselines (the first is the one judged
// against), each told to `tell` as "best classic by <key>" when it is given.
std::vector<nlohmann::json> best_rows(const nlohmann::json& rows, const std::vector<Criterion>& criteria,
                                      const std::function<void(const std::string& name, const nlohmann::json& row)>& tell = {});

// Coordinate descent over a fine Karras grid of `grid_levels` levels for `solver` at `nfe`,
// scored by `tuning`'s primary criterion, at most `max_evaluations` spent (0: no limit).
// `on_trial` is told after each scored schedule.
ScheduleSearchResult tune_schedule(const Testbed& tuning, Solver solver, int nfe, int grid_levels, int64_t max_evaluations,
                                   const std::function<void(int trials)>& on_trial = {}, double sigma_min = 0.002,
                                   double sigma_max = 80.0);
// The tuned-schedule baseline: tune_schedule on `tuning` (other data and seeds than the
// testbed's), then the winner scored on `testbed`, with what the search spent.
nlohmann::json tuned_schedule(const Testbed& tuning, const Testbed& testbed, Solver solver, int nfe, int grid_levels,
                              int64_t max_evaluations, double sigma_min = 0.002, double sigma_max = 80.0);

// Whether a learned row beats a baseline row: the rule of the product's central claim.
struct Verdict {
    std::string criterion;
    double learned = 0.0;   // the learned row's mean (its size, for an absolute criterion)
    double baseline = 0.0;  // the baseline's
    double margin = 0.0;    // baseline - learned: positive when the learned row is better
    double spread = 0.0;    // the larger of the two rows' spreads across seeds (max - min)
    int64_t values = 0;     // the fewer of the two rows' values ("seeds": evaluation seeds, or pairs when pooled)
    // margin > spread, with at least two values on each side: one value has no spread to beat.
    bool holds = false;
    // {"criterion", "learned", "classic", "margin", "spread", "values", "holds"}
    nlohmann::json to_json() const;
};
// Does `learned` beat `baseline` on `criterion` by more than the spread across seeds of either?
// Rows are score_sampler's or pool_rows' (the mean under the criterion's key, its spread under
// key + "_spread", how many values under "seeds"; a row without "seeds" counts as one).
Verdict verdict(const nlohmann::json& learned, const nlohmann::json& baseline, const Criterion& criterion);

// Every fixed choice of an action space, as index vectors, and how a bench names one.
std::vector<std::vector<int64_t>> action_grid(const ActionSpace& space);
std::string describe_choice(const ActionSpace& space, const std::vector<int64_t>& choice);

}  // namespace irl
