#include "irl/engine/learning/schedule_fit/schedule_bench.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace irl {
namespace {

std::string variant_name(bool shifts) { return shifts ? "with query shifts" : "levels only"; }

}  // namespace

ScheduleBenchResult run_schedule_bench(const Testbed& test, const Testbed& tuning, const ScheduleBenchPlan& plan) {
    require_separate_seeds(plan.seeds, test.seeds, "the schedule bench");
    auto tell = [&](const std::string& name, const nlohmann::json& row) {
        if (plan.on_row) plan.on_row(name, row);
    };
    ScheduleBenchResult result;
    result.nfe = static_cast<int>(plan.fit.nfe);
    const Criterion& primary = test.criteria.front();
    auto settings_of = [&](const std::vector<double>& sigmas, const std::vector<double>& query) {
        SamplerSettings settings;
        settings.solver = plan.fit.solver;
        settings.sigmas = sigmas;
        settings.query_sigmas = query;
        return settings;
    };

    // (0) With warm_start_on_tuning, one start for every fit: the fit's solver over the classic grid,
    // the best on the tuning testbed. What it spent counts in each fit's cost.
    std::vector<double> tuned_start;
    int64_t start_evaluations = 0;
    if (plan.warm_start_on_tuning) {
        const GridStart start = grid_start(tuning, result.nfe, plan.fit.solver);
        result.warm_start_screen = start.rows;
        start_evaluations = start.evaluations;
        tuned_start = start.sigmas;
        tell("warm start chosen on the tuning data (sigma_max " + start.best["sigma_max"].dump() + ", rho " + start.best["rho"].dump() + ")",
             start.best);
    }

    // (1) The fits, one per variant and training seed, each scored on every evaluation seed; the
    // warm start each fit chose (by its own held-out pairs), scored the same way.
    int64_t costliest = 0;
    std::vector<nlohmann::json> warm_rows;
    std::vector<std::vector<double>> warm_scored;
    for (const bool shifts : plan.shifts) {
        std::vector<nlohmann::json> rows;
        for (const uint64_t seed : plan.seeds) {
            ScheduleFitOptions options = plan.fit;
            options.seed = seed;
            options.shifts = shifts;
            options.schedule_file.clear();
            options.run.checkpoint.clear();
            if (plan.warm_start_on_tuning) options.warm_start = tuned_start;
            int64_t keep_evaluations = 0;
            if (plan.keep_by_tuning_score)
                options.keep_by = [&, shifts](const std::vector<double>& sigmas, const std::vector<double>& query) {
                    const nlohmann::json scored = score_sampler(tuning, settings_of(sigmas, shifts ? query : std::vector<double>{}));
                    keep_evaluations += scored["evaluations"].get<int64_t>();
                    return scored[tuning.primary()].get<double>();
                };
            const std::string name = variant_name(shifts) + " seed " + std::to_string(seed);
            ScheduleFit fit(*test.denoiser, options, test.cancel);
            ScheduleFitControl control;
            control.cancel = test.cancel;
            if (plan.on_iteration) control.on_iteration = [&](const ScheduleFitProgress& p) { plan.on_iteration(name, p); };
            const ScheduleFitResult fitted = fit.run(control);
            nlohmann::json row = score_sampler(test, settings_of(fitted.sigmas, shifts ? fitted.query_sigmas : std::vector<double>{}));
            row["shifts"] = shifts;
            row["seed"] = seed;
            row["fit"] = nlohmann::json::parse(fitted.to_json());
            const int64_t spent = fitted.total_evaluations() + start_evaluations + keep_evaluations;
            row["training_evaluations"] = spent;
            if (plan.keep_by_tuning_score) row["keep_by_evaluations"] = keep_evaluations;
            costliest = std::max(costliest, spent);
            tell("learned " + name, row);
            result.learned.push_back(row);
            rows.push_back(row);
            // The warm start depends on the seed's pairs only, not on the variant: scored once per seed.
            if (std::find(warm_scored.begin(), warm_scored.end(), fitted.warm_start) == warm_scored.end()) {
                nlohmann::json warm = score_sampler(test, settings_of(fitted.warm_start, {}));
                warm["sigmas"] = fitted.warm_start;
                warm["seed"] = seed;
                if (plan.warm_start_on_tuning) warm["chosen_on"] = "tuning";
                tell("warm start seed " + std::to_string(seed), warm);
                warm_rows.push_back(warm);
                warm_scored.push_back(fitted.warm_start);
            }
        }
        nlohmann::json pooled = pool_rows(rows);
        pooled["shifts"] = shifts;
        pooled["training_seeds"] = plan.seeds;
        if (plan.seeds.size() > 1) tell("learned " + variant_name(shifts) + " over every seed", pooled);
        result.pooled.push_back(pooled);
    }
    result.warm_start = pool_rows(warm_rows);
    for (const nlohmann::json& row : result.pooled) {
        nlohmann::json v = {{"shifts", row["shifts"]}, {"training_seeds", row["training_seeds"]}};
        v[primary.key + "_over_warm_start"] = verdict(row, result.warm_start, primary).to_json();
        result.verdicts.push_back(v);
    }
    if (!plan.baselines) return result;

    // (2) Every classic solver at the same NFE, screened; the best on the evaluation seeds is the baseline.
    result.classic = classic_grid(test, result.nfe, classic_solvers(), plan.screening);
    result.best_classic = best_rows(result.classic, test.criteria, tell);
    // (3) The same solver's schedule tuned by search on `tuning`, with as many evaluations as a fit.
    const int64_t tuning_budget = plan.tuning_budget >= 0 ? plan.tuning_budget : costliest;
    result.tuned = tuned_schedule(tuning, test, plan.fit.solver, result.nfe, plan.tuning_grid, tuning_budget);
    tell("tuned schedule (" + std::string(to_string(plan.fit.solver)) + ")", result.tuned);

    for (size_t i = 0; i < result.pooled.size(); ++i) {
        nlohmann::json& v = result.verdicts[i];
        v[primary.key + "_vs_best_classic"] = verdict(result.pooled[i], result.best_classic.front(), primary).to_json();
        v[primary.key + "_vs_tuned_schedule"] = verdict(result.pooled[i], result.tuned, primary).to_json();
    }
    return result;
}

}  // namespace irl
