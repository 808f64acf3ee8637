#include "irl/engine/learning/schedule_fit/schedule_bench.h"

#include "irl/engine/learning/irl/stored_rows.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace irl {
namespace {

std::string variant_name(bool shifts) { return shifts ? "with query shifts" : "levels only"; }

// Everything a stored row depends on: rows scored under another setup are never read back.
nlohmann::json bench_setup(const Testbed& test, const Testbed& tuning, const ScheduleBenchPlan& plan) {
    const ScheduleFitOptions& f = plan.fit;
    return {{"bench", "schedule-fit"},
            {"testbed", plan.testbed},
            {"count", test.count},
            {"evaluation_seeds", test.seeds},
            {"tuning_count", tuning.count},
            {"tuning_seeds", tuning.seeds},
            {"solver", to_string(f.solver)},
            {"nfe", f.nfe},
            {"teacher", std::string(to_string(f.teacher_solver)) + " " + std::to_string(f.teacher_nfe)},
            {"pairs", f.pairs},
            {"validation_pairs", f.validation_pairs},
            {"batch", f.batch},
            {"learning_rate", f.learning_rate},
            {"iterations", f.run.iterations},
            {"evaluate_every", f.run.evaluate_every},
            {"soft_teacher", f.soft_teacher},
            {"learn_sigma_max", f.learn_sigma_max},
            {"distance", f.distance},
            {"warm_start", f.warm_start},
            {"warm_start_on_tuning", plan.warm_start_on_tuning},
            {"keep_by_tuning_score", plan.keep_by_tuning_score},
            {"screening", {plan.screening.count, plan.screening.rescored}},
            {"tuning_budget", plan.tuning_budget},
            {"tuning_grid", plan.tuning_grid}};
}

}  // namespace

ScheduleBenchResult run_schedule_bench(const Testbed& test, const Testbed& tuning, const ScheduleBenchPlan& plan) {
    require_separate_seeds(plan.seeds, test.seeds, "the schedule bench");
    const StoredRows stored(plan.rows_folder, bench_setup(test, tuning, plan));
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
        const nlohmann::json start = stored.row("warm-start-screen", [&] {
            const GridStart found = grid_start(tuning, result.nfe, plan.fit.solver);
            return nlohmann::json{{"rows", found.rows}, {"best", found.best}, {"evaluations", found.evaluations}, {"sigmas", found.sigmas}};
        });
        result.warm_start_screen = start["rows"];
        start_evaluations = start["evaluations"].get<int64_t>();
        tuned_start = start["sigmas"].get<std::vector<double>>();
        tell("warm start chosen on the tuning data (sigma_max " + start["best"]["sigma_max"].dump() + ", rho " +
                 start["best"]["rho"].dump() + ")",
             start["best"]);
    }

    // (1) The fits, one per variant and training seed, each scored on every evaluation seed; the
    // warm start each fit chose (by its own held-out pairs), scored the same way.
    int64_t costliest = 0;
    std::vector<nlohmann::json> warm_rows;
    std::vector<std::vector<double>> warm_scored;
    for (const bool shifts : plan.shifts) {
        std::vector<nlohmann::json> rows;
        for (const uint64_t seed : plan.seeds) {
            const std::string name = variant_name(shifts) + " seed " + std::to_string(seed);
            const std::string key = std::string(shifts ? "learned-shifts" : "learned-plain") + "-seed" + std::to_string(seed);
            const nlohmann::json row = stored.row(key, [&] {
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
                ScheduleFit fit(*test.denoiser, options, test.cancel);
                ScheduleFitControl control;
                control.cancel = test.cancel;
                if (plan.on_iteration) control.on_iteration = [&](const ScheduleFitProgress& p) { plan.on_iteration(name, p); };
                const ScheduleFitResult fitted = fit.run(control);
                nlohmann::json scored = score_sampler(test, settings_of(fitted.sigmas, shifts ? fitted.query_sigmas : std::vector<double>{}));
                scored["shifts"] = shifts;
                scored["seed"] = seed;
                scored["fit"] = nlohmann::json::parse(fitted.to_json());
                scored["training_evaluations"] = fitted.total_evaluations() + start_evaluations + keep_evaluations;
                if (plan.keep_by_tuning_score) scored["keep_by_evaluations"] = keep_evaluations;
                return scored;
            });
            costliest = std::max(costliest, row["training_evaluations"].get<int64_t>());
            tell("learned " + name, row);
            result.learned.push_back(row);
            rows.push_back(row);
            // The warm start depends on the seed's pairs only, not on the variant: scored once per seed.
            const std::vector<double> warm_start = row["fit"]["warm_start"].get<std::vector<double>>();
            if (std::find(warm_scored.begin(), warm_scored.end(), warm_start) == warm_scored.end()) {
                const nlohmann::json warm = stored.row("warm-start-seed" + std::to_string(seed), [&] {
                    nlohmann::json scored = score_sampler(test, settings_of(warm_start, {}));
                    scored["sigmas"] = warm_start;
                    scored["seed"] = seed;
                    if (plan.warm_start_on_tuning) scored["chosen_on"] = "tuning";
                    return scored;
                });
                tell("warm start seed " + std::to_string(seed), warm);
                warm_rows.push_back(warm);
                warm_scored.push_back(warm_start);
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
    if (!plan.baselines) {
        result.reused_rows = stored.reused();
        return result;
    }

    // (2) Every classic solver at the same NFE, screened; the best on the evaluation seeds is the baseline.
    result.classic = stored.row("classic", [&] { return classic_grid(test, result.nfe, classic_solvers(), plan.screening); });
    result.best_classic = best_rows(result.classic, test.criteria, tell);
    // (3) The same solver's schedule tuned by search on `tuning`, with as many evaluations as a fit.
    const int64_t tuning_budget = plan.tuning_budget >= 0 ? plan.tuning_budget : costliest;
    result.tuned = stored.row("tuned-" + std::to_string(tuning_budget), [&] {
        return tuned_schedule(tuning, test, plan.fit.solver, result.nfe, plan.tuning_grid, tuning_budget);
    });
    tell("tuned schedule (" + std::string(to_string(plan.fit.solver)) + ")", result.tuned);

    for (size_t i = 0; i < result.pooled.size(); ++i) {
        nlohmann::json& v = result.verdicts[i];
        v[primary.key + "_vs_best_classic"] = verdict(result.pooled[i], result.best_classic.front(), primary).to_json();
        v[primary.key + "_vs_tuned_schedule"] = verdict(result.pooled[i], result.tuned, primary).to_json();
    }
    result.reused_rows = stored.reused();
    return result;
}

}  // namespace irl
