#include "irl/engine/learning/irl/policy_claim.h"

#include "irl/engine/learning/irl/stored_rows.h"

#include "irl/engine/sampling/schedule.h"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <stdexcept>

namespace irl {
namespace {

// The primary criterion's value of one scored set, lower is better (a gap by its size). The
// samples ask the classes in turn, as IrlTrainer::sample_greedy draws them.
double criterion_value(const Testbed& testbed, const torch::Tensor& samples) {
    const torch::Tensor labels = testbed.labels.defined() && testbed.denoiser->num_classes() > 0
                                     ? classes_in_turn(samples.size(0), testbed.denoiser->num_classes())
                                     : torch::Tensor();
    return ranked_value(testbed.metrics(samples, labels), testbed.criteria.front());
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct Start {
    PolicyCandidate candidate;
    std::vector<double> sigmas;
    std::vector<int64_t> choice;
    int64_t evaluations = 0;
    double seconds = 0.0;
    double score = 0.0;  // on the tuning testbed
};

// For one solver and its actions: the schedule (unless given) and then the constant of the action
// space that score best on the tuning testbed, the start a user would pick with what the method
// may look at.
Start find_start(const Testbed& tuning, const PolicyClaimPlan& plan, const PolicyCandidate& candidate) {
    const auto began = std::chrono::steady_clock::now();
    const ActionSpace& space = candidate.actions;
    SamplerSettings settings = plan.training.irl.sampler;
    settings.solver = candidate.solver;
    Start start;
    start.candidate = candidate;
    start.choice = start_choice(space, settings.fixed);
    start.score = std::numeric_limits<double>::infinity();
    auto score = [&](const std::vector<double>& sigmas, const std::vector<int64_t>& choice) {
        settings.sigmas = sigmas;
        FixedPolicy policy(space, static_cast<int64_t>(sigmas.size()) - 1, choice, settings.budget);
        const nlohmann::json row = score_sampler(tuning, settings, &policy);
        start.evaluations += row["evaluations"].get<int64_t>();
        return ranked_value(row, tuning.criteria.front());
    };
    if (!plan.start_schedule.empty()) {
        start.sigmas = plan.start_schedule;
        settings.query_sigmas = plan.start_query_sigmas;
        start.score = score(start.sigmas, start.choice);
    } else {
        const int steps = steps_for_evaluations(settings.solver, plan.nfe);
        for (const double sigma_max : ClassicGrid::sigma_max)
            for (const double rho : ClassicGrid::rho) {
                const std::vector<double> sigmas = karras_schedule(steps, ScheduleDefaults::sigma_min, sigma_max, rho);
                const double v = score(sigmas, start.choice);
                if (v < start.score) start.score = v, start.sigmas = sigmas;
            }
    }
    const auto grid = action_grid(space);
    if (grid.size() <= plan.constant_limit) {
        const std::vector<int64_t> first = start.choice;
        for (const auto& choice : grid) {
            if (choice == first) continue;
            const double v = score(start.sigmas, choice);
            if (v < start.score) start.score = v, start.choice = choice;
        }
    }
    if (start.sigmas.empty())
        throw std::runtime_error("the start search found no schedule for " + std::string(to_string(settings.solver)) +
                                 " with a finite score on the tuning data");
    start.seconds = seconds_since(began);
    return start;
}

std::string seed_file(const std::string& dir, uint64_t seed, const std::string& suffix) {
    return dir.empty() ? std::string() : dir + "/seed-" + std::to_string(seed) + suffix;
}

}  // namespace

PolicyClaimResult run_policy_claim(const Testbed& test, const Testbed& tuning, const PolicyClaimPlan& plan) {
    if (plan.seeds.empty()) throw std::invalid_argument("the policy claim needs at least one training seed");
    require_distinct(plan.seeds, "the training seeds");
    require_distinct(test.seeds, "the evaluation seeds");
    for (uint64_t seed : tuning.seeds)
        if (std::find(test.seeds.begin(), test.seeds.end(), seed) != test.seeds.end())
            throw std::invalid_argument("the validation seed " + std::to_string(seed) + " is also an evaluation seed");
    auto tell = [&](const std::string& name, const nlohmann::json& row) {
        if (plan.on_row) plan.on_row(name, row);
    };
    PolicyClaimResult result;
    result.nfe = plan.nfe;
    const Criterion& primary = test.criteria.front();
    if (!plan.checkpoint_dir.empty()) std::filesystem::create_directories(plan.checkpoint_dir);
    // The baselines depend on the testbeds, the NFE and the screening only: kept for a rerun.
    const StoredRows stored(plan.baselines ? plan.checkpoint_dir : std::string(),
                            {{"bench", "irl claim baselines"},
                             {"testbed", plan.testbed},
                             {"count", test.count},
                             {"evaluation_seeds", test.seeds},
                             {"tuning_count", tuning.count},
                             {"tuning_seeds", tuning.seeds},
                             {"nfe", plan.nfe},
                             {"screening", {plan.screening.count, plan.screening.rescored}},
                             {"tuning_grid", plan.tuning_grid}});

    // (1) The start, chosen on the tuning testbed (across the candidates, whose searches all count
    // in its cost), then scored on the test testbed like every row.
    std::vector<PolicyCandidate> candidates = plan.candidates;
    if (candidates.empty()) candidates.push_back({plan.training.irl.sampler.solver, plan.training.actions});
    Start start;
    int64_t search_evaluations = 0;
    double search_seconds = 0.0;
    for (const PolicyCandidate& candidate : candidates) {
        Start found = find_start(tuning, plan, candidate);
        search_evaluations += found.evaluations;
        search_seconds += found.seconds;
        if (start.sigmas.empty() || found.score < start.score) start = std::move(found);
    }
    start.evaluations = search_evaluations;
    start.seconds = search_seconds;
    const ActionSpace& space = start.candidate.actions;
    SamplerSettings sampler = plan.training.irl.sampler;
    sampler.solver = start.candidate.solver;
    sampler.sigmas = start.sigmas;
    if (!plan.start_schedule.empty()) sampler.query_sigmas = plan.start_query_sigmas;
    const int64_t levels = static_cast<int64_t>(start.sigmas.size()) - 1;
    {
        FixedPolicy policy(space, levels, start.choice, sampler.budget);
        result.start = score_sampler(test, sampler, &policy);
        result.start["solver"] = to_string(start.candidate.solver);
        result.start["action_space"] = nlohmann::json::parse(space.to_json());
        result.start["sigmas"] = start.sigmas;
        result.start["actions"] = describe_choice(space, start.choice);
        result.start["search_evaluations"] = start.evaluations;
        result.start["search_seconds"] = start.seconds;
        result.start["tuning_score"] = start.score;
        tell("start " + std::string(to_string(sampler.solver)) + " " + describe_choice(space, start.choice), result.start);
    }

    // (2) Every constant of the action space on the start's schedule, at the protocol's count:
    // the grid search the policy should match at a fraction of its cost.
    const auto grid = action_grid(space);
    if (grid.size() <= plan.constant_limit) {
        for (const auto& choice : grid) {
            FixedPolicy policy(space, levels, choice, sampler.budget);
            nlohmann::json row = score_sampler(test, sampler, &policy);
            row["actions"] = describe_choice(space, choice);
            result.constants.push_back(row);
        }
        result.best_constant = best_row(result.constants, primary);
        tell("best constant " + result.best_constant.value("actions", std::string()), result.best_constant);
    }

    // (3) One policy per training seed, warm-started at the start, validated on the tuning testbed.
    int64_t costliest = 0;
    std::vector<nlohmann::json> rows;
    for (const uint64_t seed : plan.seeds) {
        // Restarts: several policies per training seed, the one of the best validation kept; every
        // restart's cost counts.
        std::unique_ptr<PolicyTraining> kept;
        PolicyTrainingOutcome kept_outcome;
        int64_t restarts_cost = 0;
        for (int r = 0; r < std::max(plan.restarts, 1); ++r) {
            const uint64_t sub_seed = plan.restarts > 1 ? seed * 1000 + static_cast<uint64_t>(r) : seed;
            const std::string tag = plan.restarts > 1 ? "-r" + std::to_string(r) : std::string();
            PolicyTrainingOptions options = plan.training;
            options.irl.sampler = sampler;
            options.actions = space;
            options.irl.seed = sub_seed;
            options.start = start.choice;
            options.start_probability = plan.start_probability;
            options.validation = [&tuning](const SampleResult& drawn) { return criterion_value(tuning, drawn.samples); };
            options.validation_seed = tuning.seeds.front();
            options.validation_count = plan.validation_count > 0 ? plan.validation_count : tuning.count;
            options.checkpoint = seed_file(plan.checkpoint_dir, seed, tag + ".ckpt");
            options.policy_file = seed_file(plan.checkpoint_dir, seed, tag + "-policy.pt");
            options.checkpoint_every = options.checkpoint.empty() ? 0 : options.validate_every;
            options.resume = !options.checkpoint.empty();
            const std::string name = "seed " + std::to_string(seed) + (plan.restarts > 1 ? " restart " + std::to_string(r) : std::string());
            auto candidate = std::make_unique<PolicyTraining>(*test.denoiser, plan.expert(seed), options);
            PolicyTrainingControl control;
            control.cancel = test.cancel;
            if (plan.on_iteration) control.on_iteration = [&](const PolicyTrainingProgress& p) { plan.on_iteration(name, p); };
            const PolicyTrainingOutcome outcome = candidate->run(control);
            restarts_cost += candidate->total_evaluations();
            if (!kept || outcome.validation.best < kept_outcome.validation.best) kept = std::move(candidate), kept_outcome = outcome;
        }
        PolicyTraining& training = *kept;
        const PolicyTrainingOutcome& outcome = kept_outcome;
        const std::string name = "seed " + std::to_string(seed);
        nlohmann::json row = score_sampler(test, sampler, training.policy().get());
        row["seed"] = seed;
        row["greedy_schedule"] = schedule_taken(training.trainer().sample_greedy(1, test.seeds.front(), test.cancel, true).path, 0);
        row["training_evaluations"] = training.trainer().total_evaluations();
        row["validation"] = outcome.validation.to_json();
        row["tuning_evaluations"] = start.evaluations + restarts_cost;
        row["restarts"] = std::max(plan.restarts, 1);
        row["training_seconds"] = outcome.seconds;
        row["iterations"] = training.trainer().iterations();
        costliest = std::max(costliest, row["tuning_evaluations"].get<int64_t>());
        tell("learned " + name, row);
        result.learned.push_back(row);
        rows.push_back(row);
    }
    result.pooled = pool_rows(rows);
    result.pooled["training_seeds"] = plan.seeds;
    if (plan.seeds.size() > 1) tell("learned over every seed", result.pooled);
    nlohmann::json& v = result.verdict;
    v[primary.key + "_over_start"] = verdict(result.pooled, result.start, primary).to_json();
    if (!result.best_constant.is_null()) v[primary.key + "_vs_best_constant"] = verdict(result.pooled, result.best_constant, primary).to_json();
    if (!plan.baselines) {
        v["holds"] = nullptr;
        return result;
    }

    // (4) Every classic solver at the same NFE, screened; the best on the evaluation seeds is the baseline.
    result.classic = stored.row("classic", [&] { return classic_grid(test, plan.nfe, classic_solvers(), plan.screening); });
    result.best_classic = best_rows(result.classic, test.criteria, tell);
    // (5) A schedule for DPM-Solver++(2M) tuned on the tuning testbed at the policies' cost, and at a full budget.
    auto tuned = [&](int64_t budget) {
        return stored.row("tuned-" + std::to_string(budget),
                          [&] { return tuned_schedule(tuning, test, Solver::DpmSolver2M, plan.nfe, plan.tuning_grid, budget); });
    };
    result.tuned = tuned(costliest);
    tell("tuned schedule at the policies' cost", result.tuned);
    if (plan.full_tuning_budget > 0) {
        result.tuned_full = tuned(plan.full_tuning_budget);
        tell("tuned schedule at the full budget", result.tuned_full);
    }
    result.reused_rows = stored.reused();
    for (const Criterion& criterion : test.criteria)
        v[criterion.key + "_vs_best_classic"] = verdict(result.pooled, result.best_classic.front(), criterion).to_json();
    v[primary.key + "_vs_tuned_schedule"] = verdict(result.pooled, result.tuned, primary).to_json();
    if (!result.tuned_full.is_null()) v[primary.key + "_vs_tuned_full"] = verdict(result.pooled, result.tuned_full, primary).to_json();
    v["holds"] = v[primary.key + "_vs_best_classic"]["holds"].get<bool>() && v[primary.key + "_over_start"]["holds"].get<bool>();
    return result;
}

}  // namespace irl
