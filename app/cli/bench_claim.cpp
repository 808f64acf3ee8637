// `irlstudio-cli bench claim`: the product's claim under its protocol, through the engine's bench
// driver and its one verdict, on a 2-D toy with its exact denoiser (MMD^2 against fresh true
// samples) or on the bundled Fashion-MNIST model (FD against the test images).
// --method schedule-fit: fits (one per training seed, with and without query shifts) against their
// warm starts, the best classic solver at the same NFE by its score on the evaluation seeds, and a
// schedule tuned by search (docs/schedules.md). --method irl: IRL policies started at the best
// schedule and constant found on tuning data, kept at their best validation, against that start,
// every constant, the best classic solver and tuned schedules (docs/irl.md). --method dxmi (toys):
// DxMI samplers (one per training seed, with the fine-tuned MLP and with the exact denoiser) vs
// their untrained start and the best classic solver at the same NFE (docs/dxmi.md).
#include "bench_setup.h"
#include "commands.h"
#include "progress_bar.h"

#include "irl/engine/core/random.h"
#include "irl/engine/data/image_dataset.h"
#include "irl/engine/data/toy_mixtures.h"
#include "irl/engine/learning/dxmi/dxmi_bench.h"
#include "irl/engine/learning/irl/policy_claim.h"
#include "irl/engine/learning/irl/training_settings.h"
#include "irl/engine/learning/schedule_fit/schedule_bench.h"
#include "irl/engine/sampling/learned_schedule_file.h"
#include "irl/engine/metrics/image_evaluation.h"
#include "irl/engine/models/gaussian_mixture_denoiser.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdio>
#include <iostream>
#include <limits>
#include <memory>

namespace irl::cli {
namespace {

// The fit's options from the flags learn-schedule takes, over the bench's defaults.
ScheduleFitOptions fit_options(const Arguments& args) {
    ScheduleFitOptions fit;
    fit.solver = solver_from_string(args.text("solver", "dpmpp-2m"));
    fit.nfe = args.integer("nfe", 5, 1, 1000);
    fit.teacher_nfe = args.integer("teacher-nfe", 35, 1, 100000);
    fit.pairs = args.integer("pairs", 200, 1, 1000000);
    fit.validation_pairs = args.integer("validation-pairs", 50, 1, 1000000);
    fit.batch = args.integer("batch", std::min<long long>(32, fit.pairs), 1, fit.pairs);
    fit.learning_rate = args.number("lr", 0.02);
    fit.soft_teacher = args.number("soft-teacher", 0.0);
    fit.learn_sigma_max = !args.flag("fixed-sigma-max");
    fit.run.iterations = args.integer("iterations", 200, 1, 10000000);
    fit.run.evaluate_every = 5;
    return fit;
}

std::vector<bool> variants_option(const Arguments& args) {
    const std::string text = args.text("variants", "shifts,plain");
    std::vector<bool> variants;
    if (text.find("shifts") != std::string::npos) variants.push_back(true);
    if (text.find("plain") != std::string::npos) variants.push_back(false);
    if (variants.empty()) throw UsageError("--variants: shifts, plain or both ('shifts,plain')");
    return variants;
}

// Where a claim is measured: the test testbed (evaluation seeds, never seen by a method) and the
// tuning testbed (other data, another seed) that every choice a method makes may use.
struct ClaimTestbeds {
    std::unique_ptr<GaussianMixtureDenoiser> toy;
    FashionSetup fashion;
    ImageDataset train;  // Fashion-MNIST's training images (empty on a toy)
    Testbed test, tuning;
    int64_t count = 0;
    std::string name;
    torch::Tensor truth(uint64_t seed, int64_t n) const {
        at::Generator g = make_generator(seed);
        return toy->mixture().sample(n, g);
    }
};

// --testbed NAME: a 2-D toy (ring8, grid25, ...) or fashion (the default); --toy NAME says the same.
std::string testbed_option(const Arguments& args) {
    if (args.has("testbed") && args.has("toy") && args.text("testbed", "") != args.text("toy", ""))
        throw UsageError("--testbed and --toy name different testbeds ('" + args.text("testbed", "") + "', '" + args.text("toy", "") + "')");
    return args.has("testbed") ? args.text("testbed", "") : args.has("toy") ? args.text("toy", "") : "fashion";
}

std::unique_ptr<ClaimTestbeds> claim_testbeds(const Arguments& args, const CancelToken& cancel) {
    auto beds = std::make_unique<ClaimTestbeds>();
    const std::string testbed = testbed_option(args);
    if (testbed != "fashion") {
        const std::string& name = testbed;
        beds->toy = std::make_unique<GaussianMixtureDenoiser>(make_toy_mixture(name), "toy:" + name);
        beds->name = "toy:" + name;
        beds->count = args.integer("count", 4000, 100, 1000000);
        beds->test = toy_testbed(*beds->toy, beds->toy->mixture(), beds->truth(777, beds->count), evaluation_seeds(args), &cancel);
        beds->tuning = toy_testbed(*beds->toy, beds->toy->mixture(), beds->truth(999, std::min<int64_t>(beds->count, 2000)), {31337}, &cancel);
    } else {
        beds->fashion = load_fashion_setup(args);
        beds->name = "fashion-mnist";
        beds->count = args.integer("count", 10000, 100, 100000);
        beds->test = image_testbed(*beds->fashion.denoiser, beds->fashion.classifier, real_test_features(beds->fashion.classifier, beds->count),
                                   beds->count, evaluation_seeds(args), &cancel);
        // Tuning and validation use training images only.
        const int64_t tuning_count = args.integer("tuning-count", 1000, 100, 100000);
        beds->train = load_fashion_mnist("train");
        const torch::Tensor features =
            classify(beds->fashion.classifier, beds->train.images.narrow(0, 0, std::max<int64_t>(tuning_count, 1000))).features;
        beds->tuning = image_testbed(*beds->fashion.denoiser, beds->fashion.classifier, features, tuning_count, {31337}, &cancel);
    }
    return beds;
}

std::function<void(const std::string&, const nlohmann::json&)> row_printer(const Arguments& args, const Testbed& test) {
    const bool verbose = args.flag("verbose");
    const std::vector<std::string> keys = test.shown;
    return [keys, verbose](const std::string& name, const nlohmann::json& row) {
        if (verbose || name.rfind("classic ", 0) != 0) print_row(name, row, keys);
    };
}

void print_verdict(const char* what, const nlohmann::json& c) {
    std::fprintf(stderr, "verdict (%s): learned %.5g vs %.5g, margin %.3g, spread %.3g: %s\n", what, c["learned"].get<double>(),
                 c["classic"].get<double>(), c["margin"].get<double>(), c["spread"].get<double>(),
                 c["holds"].get<bool>() ? "holds" : "does not hold");
}

nlohmann::json claim_schedule_fit(const Arguments& args, const ClaimTestbeds& beds) {
    ScheduleBenchPlan plan;
    plan.fit = fit_options(args);
    plan.seeds = training_seeds(args, 0);
    plan.shifts = variants_option(args);
    plan.baselines = !args.flag("no-baselines");
    plan.tuning_budget = args.integer("tuning-budget", -1, -1, std::numeric_limits<int64_t>::max());
    const std::string warm = args.text("warm-start", "teacher");
    if (warm != "teacher" && warm != "tuning") throw UsageError("--warm-start: teacher or tuning, not '" + warm + "'");
    plan.warm_start_on_tuning = warm == "tuning";
    const std::string keep = args.text("keep-by", "teacher");
    if (keep != "teacher" && keep != "tuning") throw UsageError("--keep-by: teacher or tuning, not '" + keep + "'");
    plan.keep_by_tuning_score = keep == "tuning";
    if (beds.toy) {
        plan.fit.dtype = torch::kFloat64;
        plan.fit.conditional = false;
    }
    feature_distance_option(args, *beds.test.denoiser, plan.fit);
    plan.rows_folder = args.text("checkpoint-dir", "");
    plan.testbed = beds.name;
    plan.screening = screening_option(args, beds.count);
    plan.on_row = row_printer(args, beds.test);
    auto bar = std::make_shared<std::unique_ptr<ProgressBar>>();
    plan.on_iteration = [bar](const std::string& fit, const ScheduleFitProgress& p) {
        if (!*bar || p.iteration == 1) *bar = std::make_unique<ProgressBar>("claim " + fit);
        (*bar)->update(p.iteration, p.iterations, p.seconds, "distance " + fixed(p.loss, 5));
        if (p.iteration == p.iterations) (*bar)->finish();
    };
    const ScheduleBenchResult r = run_schedule_bench(beds.test, beds.tuning, plan);
    if (r.reused_rows > 0) std::fprintf(stderr, "%d rows read back from %s\n", r.reused_rows, plan.rows_folder.c_str());
    const nlohmann::json report = {{"method", "schedule-fit"},
                                   {"testbed", beds.name},
                                   {"solver", to_string(plan.fit.solver)},
                                   {"nfe", r.nfe},
                                   {"samples", beds.count},
                                   {"evaluation_seeds", beds.test.seeds},
                                   {"training_seeds", plan.seeds},
                                   {"learned", r.learned},
                                   {"pooled", r.pooled},
                                   {"warm_start", r.warm_start},
                                   {"warm_start_chosen_on", warm},
                                   {"kept_by", keep},
                                   {"distance", plan.fit.distance},
                                   {"warm_start_screen", r.warm_start_screen},
                                   {"classic", r.classic},
                                   {"best_classic", r.best_classic.empty() ? nlohmann::json() : r.best_classic.front()},
                                   {"tuned_schedule", r.tuned},
                                   {"verdicts", r.verdicts}};
    const std::string primary = beds.test.primary();
    for (const nlohmann::json& v : r.verdicts)
        if (v.contains(primary + "_vs_best_classic"))
            print_verdict(v["shifts"].get<bool>() ? "with query shifts, vs the best classic" : "levels only, vs the best classic",
                          v[primary + "_vs_best_classic"]);
    return report;
}

// What a policy on each solver can change about a good start: gDDIM's stochasticity, the churn of
// Euler and Heun, and for every solver the next level (the classic solvers are the constants of
// these spaces at stochasticity 0 or 1, churn 0 and next 1).
std::vector<PolicyCandidate> solver_candidates() {
    const std::string next = "next=0.8,1,1.25";
    return {{Solver::Gddim, parse_action_space("stochasticity=0,0.5,1,1.5,2;" + next)},
            {Solver::Euler, parse_action_space("churn=0,0.1,0.3;" + next)},
            {Solver::Heun, parse_action_space("churn=0,0.1,0.3;" + next)},
            {Solver::DpmSolver2M, parse_action_space(next)},
            {Solver::EulerAncestral, parse_action_space(next)}};
}

nlohmann::json claim_irl(const Arguments& args, const ClaimTestbeds& beds) {
    PolicyClaimPlan plan;
    PolicyTrainingOptions& training = plan.training;
    const std::string solver = args.text("solver", "auto");
    if (solver == "auto") {
        if (args.has("actions"))
            throw UsageError("--actions needs a --solver: with --solver auto (the default) each solver takes its own actions");
        plan.candidates = solver_candidates();
    } else {
        training.irl.sampler.solver = solver_from_string(solver);
    }
    training.irl.batch = 256;
    training.irl.policy_lr = 0.1;
    training.irl.conditional = !beds.toy;
    training.iterations = 100;
    read_policy_training_settings(command_settings(args, {"seed"}), training);
    if (plan.candidates.empty()) training.actions = action_space_option(args, "stochasticity=0.5,1,1.5,2;next=0.8,1,1.25");
    plan.nfe = static_cast<int>(args.integer("nfe", 5, 1, 1000));
    plan.seeds = training_seeds(args, 0);
    if (beds.toy) plan.expert = [&beds](uint64_t seed) { return beds.truth(seed + 1, 50000); };
    else plan.expert = [&beds](uint64_t) { return beds.train.images; };
    plan.start_probability = training.start_probability > 0 ? training.start_probability : 0.5;
    plan.validation_count = args.integer("validation-count", 0, 0, 1000000);
    plan.restarts = static_cast<int>(args.integer("restarts", 1, 1, 100));
    plan.checkpoint_dir = args.text("checkpoint-dir", "");
    plan.testbed = beds.name;
    if (args.has("schedule-file")) {
        const LearnedSchedule learned = load_learned_schedule(args.text("schedule-file", ""));
        if (plan.candidates.empty() && learned.solver != training.irl.sampler.solver)
            std::fprintf(stderr, "note: --schedule-file was fitted for %s; the policies sample it with %s\n", to_string(learned.solver),
                         to_string(training.irl.sampler.solver));
        plan.start_schedule = learned.sigmas;
        plan.start_query_sigmas = learned.query_sigmas;
        // A learned schedule is its solver's: with --solver auto, only that solver starts from it.
        std::vector<PolicyCandidate> own;
        for (const PolicyCandidate& c : plan.candidates)
            if (c.solver == learned.solver) own.push_back(c);
        if (!plan.candidates.empty()) plan.candidates = own;
    }
    plan.screening = screening_option(args, beds.count);
    plan.baselines = !args.flag("no-baselines");
    plan.full_tuning_budget = args.integer("tuning-budget", 0, 0, std::numeric_limits<int64_t>::max());
    plan.on_row = row_printer(args, beds.test);
    auto bar = std::make_shared<std::unique_ptr<ProgressBar>>();
    plan.on_iteration = [bar](const std::string& policy, const PolicyTrainingProgress& p) {
        if (!*bar || p.iteration.iteration == 1) *bar = std::make_unique<ProgressBar>("claim irl " + policy);
        std::string detail = "disc acc " + fixed(p.iteration.discriminator_accuracy, 2);
        if (p.validation.last_iteration >= 0)
            detail += "  validation " + fixed(p.validation.last, 5) + " (best " + fixed(p.validation.best, 5) + " at " +
                      std::to_string(p.validation.best_iteration) + ")";
        (*bar)->update(p.iteration.iteration, p.iterations, p.seconds, detail);
        if (p.iteration.iteration == p.iterations) (*bar)->finish();
    };
    const PolicyClaimResult r = run_policy_claim(beds.test, beds.tuning, plan);
    if (r.reused_rows > 0) std::fprintf(stderr, "%d baseline rows read back from %s\n", r.reused_rows, plan.checkpoint_dir.c_str());
    const std::string primary = beds.test.primary();
    nlohmann::json report = {{"method", "irl"},
                             {"testbed", beds.name},
                             {"solver", r.start["solver"]},
                             {"actions", r.start["action_space"]},
                             {"policy", training.policy},
                             {"nfe", r.nfe},
                             {"samples", beds.count},
                             {"evaluation_seeds", beds.test.seeds},
                             {"training_seeds", plan.seeds},
                             {"start", r.start},
                             {"constants", r.constants},
                             {"best_constant", r.best_constant},
                             {"learned", r.learned},
                             {"pooled", r.pooled},
                             {"classic", r.classic},
                             {"best_classic", r.best_classic.empty() ? nlohmann::json() : r.best_classic.front()},
                             {"tuned_schedule", r.tuned},
                             {"tuned_full", r.tuned_full},
                             {"verdict", r.verdict},
                             {"margin_over_start", r.verdict[primary + "_over_start"]["margin"]},
                             {"holds", r.verdict["holds"]}};
    print_verdict("over the start", r.verdict[primary + "_over_start"]);
    if (r.verdict.contains(primary + "_vs_best_constant")) print_verdict("vs the best constant", r.verdict[primary + "_vs_best_constant"]);
    if (r.verdict.contains(primary + "_vs_best_classic")) {
        report["margin"] = r.verdict[primary + "_vs_best_classic"]["margin"];
        print_verdict("vs the best classic", r.verdict[primary + "_vs_best_classic"]);
        print_verdict("vs the tuned schedule at the same cost", r.verdict[primary + "_vs_tuned_schedule"]);
    }
    return report;
}

nlohmann::json claim_dxmi(const Arguments& args, const ClaimTestbeds& beds) {
    if (!beds.toy) throw UsageError("--method dxmi runs on the 2-D toys so far (--testbed ring8 or another toy; Fashion-MNIST is issue #49)");
    DxmiBenchPlan plan;
    plan.dxmi = dxmi_options(args);
    plan.steps = static_cast<int>(args.integer("steps", 4, 1, 1000));
    plan.seeds = training_seeds(args, 0);
    plan.fit.steps = args.integer("fit-steps", plan.fit.steps, 1, 10000000);
    if (args.has("tau1-choices")) plan.tau1_choices = args.numbers("tau1-choices");
    require_distinct(plan.tau1_choices, "--tau1-choices");
    const std::string variants = args.text("variants", "mlp,exact");
    plan.fine_tune.clear();
    if (variants.find("mlp") != std::string::npos) plan.fine_tune.push_back(true);
    if (variants.find("exact") != std::string::npos) plan.fine_tune.push_back(false);
    if (plan.fine_tune.empty()) throw UsageError("--variants: mlp, exact or both ('mlp,exact')");
    plan.baselines = !args.flag("no-baselines");
    plan.screening = screening_option(args, beds.count);
    plan.on_row = row_printer(args, beds.test);
    auto bar = std::make_shared<std::unique_ptr<ProgressBar>>();
    const auto began = std::make_shared<double>(0.0);
    const int64_t iterations = plan.dxmi.run.iterations;
    plan.on_iteration = [bar, began, iterations](const std::string& run, const DxmiIteration& it) {
        if (!*bar || it.iteration == 1) *bar = std::make_unique<ProgressBar>("claim " + run), *began = now_seconds();
        (*bar)->update(it.iteration, iterations, now_seconds() - *began, "E(data) " + fixed(it.data_energy, 3) + "  E(samples) " + fixed(it.sample_energy, 3));
        if (it.iteration == iterations) (*bar)->finish();
    };
    const std::string name = beds.name.substr(beds.name.find(':') + 1);
    const DxmiBenchResult r = run_dxmi_bench(beds.test, beds.tuning, beds.toy->mixture(), name, plan);
    nlohmann::json report = {{"method", "dxmi"},
                             {"testbed", beds.name},
                             {"nfe", r.nfe},
                             {"samples", beds.count},
                             {"evaluation_seeds", beds.test.seeds},
                             {"training_seeds", plan.seeds},
                             {"sigmas", r.start_sigmas},
                             {"start_screen", r.start_screen},
                             {"starts", r.starts},
                             {"learned", r.learned},
                             {"pooled", r.pooled},
                             {"classic", r.classic},
                             {"best_classic", r.best_classic.empty() ? nlohmann::json() : r.best_classic.front()},
                             {"verdicts", r.verdicts}};
    const std::string primary = beds.test.primary();
    for (const nlohmann::json& v : r.verdicts) {
        const std::string variant = v["fine_tuned"].get<bool>() ? "fine-tuned MLP" : "exact denoiser";
        print_verdict((variant + ", over its start").c_str(), v[primary + "_over_start"]);
        if (v.contains(primary + "_vs_best_classic")) print_verdict((variant + ", vs the best classic").c_str(), v[primary + "_vs_best_classic"]);
    }
    return report;
}

// --reference SOLVER:NFE[,...]: rows beside the claim on the same evaluation seeds, on EDM's
// default schedule (sigma_max 80, rho 7): Heun at 35 NFE is the quality a few-step sampler aims at.
nlohmann::json reference_rows(const Arguments& args, const ClaimTestbeds& beds) {
    nlohmann::json rows = nlohmann::json::array();
    if (!args.has("reference")) return rows;
    const std::string text = args.text("reference", "");
    size_t begin = 0;
    while (begin <= text.size()) {
        const size_t comma = std::min(text.find(',', begin), text.size());
        const std::string item = text.substr(begin, comma - begin);
        const size_t colon = item.find(':');
        int nfe = 0;
        Solver solver{};
        try {
            if (colon == std::string::npos) throw std::invalid_argument("no ':'");
            solver = solver_from_string(item.substr(0, colon));
            size_t used = 0;
            nfe = std::stoi(item.substr(colon + 1), &used);
            if (used != item.size() - colon - 1 || nfe < 1) throw std::invalid_argument("not a count");
        } catch (const std::exception&) {
            throw UsageError("--reference: SOLVER:NFE, for example heun:35, not '" + item + "'");
        }
        nlohmann::json row = {{"solver", to_string(solver)}, {"sigma_max", 80.0}, {"rho", 7.0},
                              {"steps", steps_for_evaluations(solver, nfe)}};
        const double began = now_seconds();
        row.update(score_sampler(beds.test, classic_settings(row)));
        row["seconds"] = now_seconds() - began;
        print_row("reference " + item, row, beds.test.shown);
        rows.push_back(row);
        begin = comma + 1;
    }
    return rows;
}

}  // namespace

int bench_claim(const Arguments& args, const CancelToken& cancel) {
    const std::string method = args.text("method", "");
    if (method != "schedule-fit" && method != "irl" && method != "dxmi" && method != "reference")
        throw UsageError("--method: irl, schedule-fit, dxmi or reference, not '" + method + "'");
    if (method == "reference" && !args.has("reference")) throw UsageError("--method reference scores the --reference rows: give one, e.g. heun:35");
    if (method == "dxmi" && testbed_option(args) == "fashion")
        throw UsageError("--method dxmi runs on the 2-D toys so far (--testbed ring8 or another toy; Fashion-MNIST is issue #49)");
    const std::unique_ptr<ClaimTestbeds> beds = claim_testbeds(args, cancel);
    nlohmann::json report = method == "reference" ? nlohmann::json{{"method", "reference"}, {"testbed", beds->name}, {"samples", beds->count},
                                                                   {"evaluation_seeds", beds->test.seeds}}
                            : method == "dxmi"    ? claim_dxmi(args, *beds)
                            : method == "irl"     ? claim_irl(args, *beds)
                                                  : claim_schedule_fit(args, *beds);
    report["reference"] = reference_rows(args, *beds);
    std::cout << report.dump() << std::endl;
    return kExitOk;
}

}  // namespace irl::cli
