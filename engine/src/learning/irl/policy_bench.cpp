#include "irl/engine/learning/irl/policy_bench.h"

#include "irl/engine/sampling/schedule.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace irl {
namespace {

void tell(const PolicyBenchPlan& plan, const std::string& name, const nlohmann::json& row) {
    if (plan.on_row) plan.on_row(name, row);
}

std::string classic_name(const nlohmann::json& row) {
    const auto whole = [](double v) { return std::to_string(static_cast<long long>(std::lround(v))); };
    return row["solver"].get<std::string>() + " sigma_max " + whole(row["sigma_max"].get<double>()) + " rho " +
           whole(row["rho"].get<double>());
}

}  // namespace

PolicyBenchResult run_policy_bench(const Testbed& test, const Testbed& tuning, const PolicyBenchPlan& plan) {
    require_distinct(plan.seeds, "the training seeds");
    require_distinct(test.seeds, "the evaluation seeds");
    std::vector<std::string> divergences;
    for (const DivergenceSpec& d : plan.divergences) divergences.push_back(divergence_label(d));
    require_distinct(divergences, "the divergences");
    PolicyBenchResult result;
    const SamplerSettings& sampler = plan.training.irl.sampler;
    const ActionSpace& space = plan.training.actions;
    const int64_t levels = static_cast<int64_t>(sampler.sigmas.size()) - 1;
    const Criterion& primary = test.criteria.front();

    // (1) Every fixed choice of the actions, when there are few enough to try them all.
    const auto grid = action_grid(space);
    if (grid.size() <= plan.fixed_grid_limit) {
        for (const auto& choice : grid) {
            FixedPolicy fixed_policy(space, levels, choice, sampler.budget);
            nlohmann::json row = score_sampler(test, sampler, &fixed_policy);
            result.fixed_grid_evaluations += row["evaluations"].get<int64_t>();
            row["actions"] = describe_choice(space, choice);
            tell(plan, "fixed " + describe_choice(space, choice), row);
            result.fixed_grid.push_back(row);
        }
    }
    result.best_fixed = best_row(result.fixed_grid, primary);

    // (2) Learned policies: one per training seed and divergence.
    int64_t most_training = 0;
    double most_nfe = 0.0;
    for (size_t k = 0; k < plan.seeds.size(); ++k)
        for (const DivergenceSpec& divergence : plan.divergences) {
            PolicyTrainingOptions options = plan.training;
            options.irl.seed = plan.seeds[k];
            options.irl.divergence = divergence;
            const std::string name = divergence_label(divergence) + " seed " + std::to_string(plan.seeds[k]);
            PolicyTraining training(*test.denoiser, plan.expert(plan.seeds[k]), options);
            PolicyTrainingControl control;
            control.cancel = test.cancel;
            if (plan.on_iteration) control.on_iteration = [&](const PolicyTrainingProgress& p) { plan.on_iteration(name, p); };
            const PolicyTrainingOutcome outcome = training.run(control);
            Policy* policy = training.policy().get();
            nlohmann::json row = score_sampler(test, sampler, policy);
            row["greedy_schedule"] = schedule_taken(training.trainer().sample_greedy(1, test.seeds.front(), test.cancel, true).path, 0);
            row["divergence"] = to_string(divergence.kind);
            row["pr_lambda"] = divergence.pr_lambda;
            row["seed"] = plan.seeds[k];
            row["training_evaluations"] = training.trainer().total_evaluations();
            row["training_seconds"] = outcome.seconds;
            row["discriminator_accuracy"] = outcome.last.discriminator_accuracy;
            row["action_probabilities"] = action_probabilities_json(outcome.last.action_probabilities);
            tell(plan, "learned " + name, row);
            // Greedy scoring shows only each step's most likely choice; sampling the policy at
            // temperature 1 also shows where its probabilities moved.
            if (plan.sampled) {
                row["sampled"] = score_sampler(test, sampler, policy, 1.0);
                tell(plan, "  sampled at temperature 1", row["sampled"]);
            }
            most_training = std::max(most_training, training.trainer().total_evaluations());
            most_nfe = std::max(most_nfe, row["nfe"].get<double>());
            result.learned.push_back(row);
        }
    // One row per divergence over every pair of training seed and evaluation seed.
    for (const DivergenceSpec& divergence : plan.divergences) {
        std::vector<nlohmann::json> rows;
        for (const nlohmann::json& row : result.learned)
            if (row["divergence"] == to_string(divergence.kind) && row["pr_lambda"] == divergence.pr_lambda) rows.push_back(row);
        nlohmann::json pooled = pool_rows(rows);
        pooled["divergence"] = to_string(divergence.kind);
        pooled["pr_lambda"] = divergence.pr_lambda;
        pooled["training_seeds"] = plan.seeds;
        if (plan.seeds.size() > 1) tell(plan, "learned " + divergence_label(divergence) + " over every seed", pooled);
        result.pooled.push_back(pooled);
    }
    if (!plan.baselines) return result;

    // (3) Every classic solver at the learned policies' budget (or the NFE they reached), screened,
    // the best rows scored on the test testbed; the best there by each criterion is the baseline.
    result.nfe = plan.classic_nfe > 0 ? plan.classic_nfe : sampler.budget > 0 ? static_cast<int>(sampler.budget)
                                                                                 : static_cast<int>(std::lround(most_nfe));
    result.classic = classic_grid(test, result.nfe, classic_solvers(), plan.screening);
    for (const nlohmann::json& row : result.classic) tell(plan, "classic " + classic_name(row), row);
    result.best_classic = best_rows(result.classic, test.criteria);
    for (size_t c = 0; c < test.criteria.size(); ++c)
        tell(plan, "best classic by " + test.criteria[c].key + ": " + classic_name(result.best_classic[c]), result.best_classic[c]);

    // (4) A schedule tuned for DPM-Solver++(2M) with as many function evaluations as training spent.
    const int64_t tuning_budget = plan.tuning_budget >= 0 ? plan.tuning_budget : most_training;
    result.tuned = tuned_schedule(tuning, test, Solver::DpmSolver2M, result.nfe, plan.tuning_grid, tuning_budget);
    tell(plan, "tuned schedule (dpmpp-2m)", result.tuned);

    for (const nlohmann::json& row : result.pooled) {
        nlohmann::json v = {{"training_seeds", row["training_seeds"]}, {"divergence", row["divergence"]}, {"pr_lambda", row["pr_lambda"]}};
        for (size_t c = 0; c < test.criteria.size(); ++c) {
            const Criterion& criterion = test.criteria[c];
            v[criterion.key + "_vs_best_classic"] = verdict(row, result.best_classic.front(), criterion).to_json();
            if (c > 0) v[criterion.key + "_vs_closest_classic"] = verdict(row, result.best_classic[c], criterion).to_json();
        }
        v[primary.key + "_vs_tuned_schedule"] = verdict(row, result.tuned, primary).to_json();
        result.verdicts.push_back(v);
    }
    return result;
}

}  // namespace irl
