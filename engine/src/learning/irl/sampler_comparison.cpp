#include "irl/engine/learning/irl/sampler_comparison.h"

#include "irl/engine/learning/irl/irl_trainer.h"
#include "irl/engine/metrics/image_evaluation.h"
#include "irl/engine/metrics/sample_metrics.h"
#include "irl/engine/sampling/schedule.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>

namespace irl {
namespace {

SampleResult draw(const Testbed& testbed, const SamplerSettings& settings, Policy* policy, double temperature, uint64_t seed) {
    SampleRequest request;
    request.count = testbed.count;
    request.labels = testbed.labels;
    request.seed = seed;
    request.dtype = testbed.dtype;
    request.cancel = testbed.cancel;
    return policy ? rollout_policy(*testbed.denoiser, *policy, settings, request, temperature, false).result
                  : sample(*testbed.denoiser, settings, request);
}

// Each metric's mean and spread (max - min) over its values, and the values themselves.
void summarise_values(const std::map<std::string, std::vector<double>>& values, nlohmann::json& row) {
    for (const auto& [key, list] : values) {
        double sum = 0.0, low = std::numeric_limits<double>::infinity(), high = -low;
        for (double v : list) sum += v, low = std::min(low, v), high = std::max(high, v);
        row[key] = sum / double(list.size());
        row[key + "_spread"] = high - low;
        row["per_seed"][key] = list;
    }
}

std::string two_digits(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", value);
    return text;
}

}  // namespace

double ranked_value(const nlohmann::json& row, const Criterion& criterion) {
    const double v = row[criterion.key].get<double>();
    if (std::isnan(v)) return std::numeric_limits<double>::infinity();
    return criterion.absolute ? std::abs(v) : v;
}

double toy_mmd_squared(const torch::Tensor& samples, const torch::Tensor& truth) {
    // The toys' modes sit about 1 apart with spreads of a few hundredths: one bandwidth for the
    // spread, one for the modes, one for the whole layout.
    return mmd_squared(samples, truth, {0.05, 0.2, 1.0});
}

Testbed toy_testbed(Denoiser& denoiser, const GaussianMixture& mixture, torch::Tensor truth, std::vector<uint64_t> seeds,
                    const CancelToken* cancel) {
    const int64_t n = truth.size(0);
    const torch::Tensor tiny = torch::full({n}, 0.002, torch::kFloat64);
    const double truth_log_density = mixture.log_density(truth, tiny).mean().item<double>();
    Testbed t;
    t.denoiser = &denoiser;
    t.count = n;
    t.dtype = torch::kFloat64;
    t.seeds = std::move(seeds);
    t.cancel = cancel;
    t.criteria = {{"mmd2", false}, {"log_density_gap", true}};
    t.shown = {"mmd2", "mean_log_density", "log_density_gap"};
    // Any number of samples against the truth (the classic grid screens on fewer).
    t.metrics = [mixture, truth, truth_log_density](const torch::Tensor& samples, const torch::Tensor&) {
        const double log_density = mixture.log_density(samples, torch::full({samples.size(0)}, 0.002, torch::kFloat64)).mean().item<double>();
        // k-NN precision and recall (k = 3): how much of the samples lies on the data, and how
        // much of the data the samples cover.
        const PrecisionRecall pr = precision_recall(truth, samples, 3);
        return nlohmann::json{{"mmd2", toy_mmd_squared(samples, truth)}, {"mean_log_density", log_density},
                              {"log_density_gap", log_density - truth_log_density}, {"precision", pr.precision}, {"recall", pr.recall}};
    };
    return t;
}

Testbed image_testbed(Denoiser& denoiser, FashionClassifier classifier, torch::Tensor real_features, int64_t count,
                      std::vector<uint64_t> seeds, const CancelToken* cancel) {
    Testbed t;
    t.denoiser = &denoiser;
    t.count = count;
    if (denoiser.num_classes() > 0) t.labels = classes_in_turn(count, denoiser.num_classes());
    t.seeds = std::move(seeds);
    t.cancel = cancel;
    t.criteria = {{"fd", false}};
    t.shown = {"fd", "precision", "recall", "class_accuracy"};
    t.metrics = [classifier, real_features](const torch::Tensor& samples, const torch::Tensor& labels) mutable {
        const torch::Tensor asked = labels.defined() ? labels : torch::full({samples.size(0)}, int64_t(-1));
        const ImageScores s = score_images(classifier, samples, asked, real_features);
        return nlohmann::json{{"fd", s.fd}, {"precision", s.precision}, {"recall", s.recall}, {"class_accuracy", s.class_accuracy}};
    };
    return t;
}

nlohmann::json score_sampler(const Testbed& testbed, const SamplerSettings& settings, Policy* policy, double temperature) {
    // A policy's cost varies per sample: what the draws really spent, not a fixed NFE.
    int64_t evaluations = 0;
    double nfe = 0.0;
    nlohmann::json row = score_samples(
        testbed,
        [&](uint64_t seed) {
            const SampleResult result = draw(testbed, settings, policy, temperature, seed);
            evaluations += result.evaluations.sum().item<int64_t>();
            nfe += result.nfe / double(testbed.seeds.size());
            return result.samples;
        },
        0.0);
    row["nfe"] = nfe;
    row["evaluations"] = evaluations;
    return row;
}

nlohmann::json score_samples(const Testbed& testbed, const std::function<torch::Tensor(uint64_t seed)>& draw, double nfe) {
    std::map<std::string, std::vector<double>> values;
    for (uint64_t seed : testbed.seeds) {
        if (testbed.cancel) testbed.cancel->throw_if_cancelled();
        const nlohmann::json metrics = testbed.metrics(draw(seed), testbed.labels);
        for (auto it = metrics.begin(); it != metrics.end(); ++it) values[it.key()].push_back(it.value().get<double>());
    }
    const auto evaluations = static_cast<int64_t>(std::llround(nfe * double(testbed.count) * double(testbed.seeds.size())));
    nlohmann::json row = {{"nfe", nfe}, {"evaluations", evaluations}, {"seeds", testbed.seeds.size()}};
    summarise_values(values, row);
    return row;
}

nlohmann::json pool_rows(const std::vector<nlohmann::json>& rows) {
    std::map<std::string, std::vector<double>> values;
    int64_t evaluations = 0;
    double nfe = 0.0;
    size_t pairs = 0;
    for (const nlohmann::json& row : rows) {
        for (auto it = row["per_seed"].begin(); it != row["per_seed"].end(); ++it)
            for (double v : it.value()) values[it.key()].push_back(v);
        evaluations += row["evaluations"].get<int64_t>();
        nfe += row["nfe"].get<double>() / double(rows.size());
        pairs += row["seeds"].get<size_t>();
    }
    nlohmann::json pooled = {{"nfe", nfe}, {"evaluations", evaluations}, {"seeds", pairs}, {"pooled_rows", rows.size()}};
    summarise_values(values, pooled);
    return pooled;
}

int steps_for_evaluations(Solver solver, int nfe) {
    auto cost = [solver](int steps) {
        return (steps - 1) * step_evaluations(solver, false, false) + step_evaluations(solver, true, false);
    };
    int steps = 1;
    while (cost(steps + 1) <= nfe) ++steps;
    return steps;
}

const std::vector<Solver>& classic_solvers() {
    static const std::vector<Solver> solvers{Solver::Euler, Solver::Heun, Solver::DpmSolver2M, Solver::EulerAncestral};
    return solvers;
}

nlohmann::json classic_grid(const Testbed& testbed, int nfe, const std::vector<Solver>& solvers, const GridScreening& screening,
                            double sigma_min) {
    const bool screen = screening.count > 0 && (screening.count < testbed.count || testbed.seeds.size() > 1);
    Testbed quick = testbed;
    if (screen) {
        quick.count = std::min(screening.count, testbed.count);
        quick.seeds = {testbed.seeds.front()};
        if (testbed.labels.defined()) quick.labels = testbed.labels.narrow(0, 0, quick.count);
    }
    nlohmann::json rows = nlohmann::json::array();
    for (Solver solver : solvers) {
        for (const double sigma_max : ClassicGrid::sigma_max) {
            for (const double rho : ClassicGrid::rho) {
                const int steps = steps_for_evaluations(solver, nfe);
                nlohmann::json row = {{"solver", to_string(solver)}, {"sigma_max", sigma_max}, {"rho", rho}, {"steps", steps}};
                row.update(score_sampler(quick, classic_settings(row, sigma_min)));
                row["rescored"] = !screen;
                if (screen) row["screening_count"] = quick.count;
                rows.push_back(row);
            }
        }
    }
    if (!screen) return rows;
    // The best few by each criterion on the screening samples, scored again on the whole testbed.
    std::set<size_t> chosen;
    for (const Criterion& criterion : testbed.criteria) {
        std::vector<size_t> order(rows.size());
        for (size_t i = 0; i < order.size(); ++i) order[i] = i;
        std::stable_sort(order.begin(), order.end(),
                         [&](size_t a, size_t b) { return ranked_value(rows[a], criterion) < ranked_value(rows[b], criterion); });
        for (size_t i = 0; i < order.size() && i < static_cast<size_t>(std::max(screening.rescored, 1)); ++i) chosen.insert(order[i]);
    }
    for (size_t i : chosen) {
        const nlohmann::json& screened = rows[i];
        nlohmann::json row = {{"solver", screened["solver"]}, {"sigma_max", screened["sigma_max"]}, {"rho", screened["rho"]},
                              {"steps", screened["steps"]}};
        row.update(score_sampler(testbed, classic_settings(row, sigma_min)));
        row["rescored"] = true;
        for (const Criterion& criterion : testbed.criteria) row["screening_" + criterion.key] = screened[criterion.key];
        row["screening_count"] = quick.count;
        rows[i] = row;
    }
    return rows;
}

SamplerSettings classic_settings(const nlohmann::json& row, double sigma_min) {
    SamplerSettings settings;
    settings.solver = solver_from_string(row["solver"].get<std::string>());
    settings.sigmas = karras_schedule(row["steps"].get<int>(), sigma_min, row["sigma_max"].get<double>(), row["rho"].get<double>());
    return settings;
}

GridStart grid_start(const Testbed& tuning, int nfe, Solver solver) {
    GridStart start;
    start.rows = classic_grid(tuning, nfe, {solver});
    for (const nlohmann::json& row : start.rows) start.evaluations += row.value("evaluations", int64_t{0});
    start.best = best_row(start.rows, tuning.criteria.front());
    if (start.best.is_null())
        throw std::runtime_error("no schedule of the classic grid for " + std::string(to_string(solver)) +
                                 " has a finite score on the tuning data: no start to learn from");
    start.sigmas = classic_settings(start.best).sigmas;
    return start;
}

void require_separate_seeds(const std::vector<uint64_t>& training, const std::vector<uint64_t>& evaluation, const std::string& what) {
    if (training.empty()) throw std::invalid_argument(what + " needs at least one training seed");
    require_distinct(training, "the training seeds");
    require_distinct(evaluation, "the evaluation seeds");
    for (uint64_t seed : training)
        if (std::find(evaluation.begin(), evaluation.end(), seed) != evaluation.end())
            throw std::invalid_argument("training seed " + std::to_string(seed) + " is also an evaluation seed: its noises would be scored");
}

std::vector<nlohmann::json> best_rows(const nlohmann::json& rows, const std::vector<Criterion>& criteria,
                                      const std::function<void(const std::string&, const nlohmann::json&)>& tell) {
    std::vector<nlohmann::json> best;
    for (const Criterion& criterion : criteria) {
        best.push_back(best_row(rows, criterion));
        if (tell) tell("best classic by " + criterion.key, best.back());
    }
    return best;
}

nlohmann::json best_row(const nlohmann::json& rows, const Criterion& criterion) {
    nlohmann::json best;
    double best_value = std::numeric_limits<double>::infinity();
    for (const nlohmann::json& row : rows) {
        if (!row.contains(criterion.key) || !row.value("rescored", true)) continue;
        const double v = ranked_value(row, criterion);
        if (v < best_value) best_value = v, best = row;
    }
    return best;
}

ScheduleSearchResult tune_schedule(const Testbed& tuning, Solver solver, int nfe, int grid_levels, int64_t max_evaluations,
                                   const std::function<void(int trials)>& on_trial, double sigma_min, double sigma_max) {
    ScheduleSearchOptions options;
    options.grid = karras_schedule(grid_levels, sigma_min, sigma_max, 7.0);
    options.steps = steps_for_evaluations(solver, nfe);
    options.max_evaluations = max_evaluations;
    int trials = 0;
    return search_schedule(options, [&](const std::vector<double>& sigmas) {
        SamplerSettings settings;
        settings.solver = solver;
        settings.sigmas = sigmas;
        const nlohmann::json row = score_sampler(tuning, settings);
        if (on_trial) on_trial(++trials);
        return std::pair<double, int64_t>(row[tuning.primary()].get<double>(), row["evaluations"].get<int64_t>());
    });
}

nlohmann::json tuned_schedule(const Testbed& tuning, const Testbed& testbed, Solver solver, int nfe, int grid_levels,
                              int64_t max_evaluations, double sigma_min, double sigma_max) {
    const ScheduleSearchResult found = tune_schedule(tuning, solver, nfe, grid_levels, max_evaluations, {}, sigma_min, sigma_max);
    SamplerSettings settings;
    settings.solver = solver;
    settings.sigmas = found.sigmas;
    nlohmann::json row = score_sampler(testbed, settings);
    row["solver"] = to_string(solver);
    row["steps"] = steps_for_evaluations(solver, nfe);
    row["sigmas"] = found.sigmas;
    row["tuning_evaluations"] = found.evaluations;
    row["tuning_trials"] = found.trials;
    row["tuning_start_sigmas"] = found.start;
    row["tuning_score"] = found.score;
    row["tuning_start_score"] = found.start_score;
    return row;
}

nlohmann::json Verdict::to_json() const {
    return {{"criterion", criterion}, {"learned", learned}, {"classic", baseline}, {"margin", margin},
            {"spread", spread},       {"values", values},   {"holds", holds}};
}

Verdict verdict(const nlohmann::json& learned, const nlohmann::json& baseline, const Criterion& criterion) {
    const std::string& key = criterion.key;
    Verdict v;
    v.criterion = key;
    v.learned = ranked_value(learned, criterion);
    v.baseline = ranked_value(baseline, criterion);
    v.margin = v.baseline - v.learned;
    v.spread = std::max(learned.value(key + "_spread", 0.0), baseline.value(key + "_spread", 0.0));
    v.values = std::min(learned.value("seeds", int64_t(1)), baseline.value("seeds", int64_t(1)));
    v.holds = v.values >= 2 && v.margin > v.spread;
    return v;
}

std::vector<std::vector<int64_t>> action_grid(const ActionSpace& space) {
    std::vector<std::vector<int64_t>> grid{{}};
    for (const ActionComponent& c : space.components) {
        std::vector<std::vector<int64_t>> next;
        for (const auto& prefix : grid)
            for (int64_t i = 0; i < static_cast<int64_t>(c.choices.size()); ++i) {
                next.push_back(prefix);
                next.back().push_back(i);
            }
        grid = next;
    }
    return grid;
}

std::string describe_choice(const ActionSpace& space, const std::vector<int64_t>& choice) {
    std::string text;
    for (size_t i = 0; i < choice.size(); ++i)
        text += (text.empty() ? "" : " ") + std::string(to_string(space.components[i].kind)) + "=" +
                two_digits(space.components[i].choices[static_cast<size_t>(choice[i])]);
    return text;
}

}  // namespace irl
