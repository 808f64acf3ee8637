// `irlstudio-cli bench claim --method schedule-fit`: the product's claim for learned schedules,
// through the engine's bench driver and its one verdict. Fits (one per training seed, with and
// without query shifts) against their warm starts, the best classic solver at the same NFE by its
// score on the evaluation seeds, and a schedule tuned by search; on a 2-D toy with its exact
// denoiser (MMD^2 against fresh true samples) or on the bundled Fashion-MNIST model (FD against the
// test images). Results go to docs/schedules.md with their commands.
#include "bench_setup.h"
#include "commands.h"
#include "progress_bar.h"

#include "irl/engine/core/random.h"
#include "irl/engine/data/image_dataset.h"
#include "irl/engine/data/toy_mixtures.h"
#include "irl/engine/learning/schedule_fit/schedule_bench.h"
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

}  // namespace

int bench_claim(const Arguments& args, const CancelToken& cancel) {
    const std::string method = args.text("method", "");
    if (method != "schedule-fit")
        throw UsageError("--method: schedule-fit is the method bench claim measures so far (the claim for IRL policies is "
                         "'bench irl-toy' and 'bench irl-fashion'), not '" + method + "'");
    ScheduleBenchPlan plan;
    plan.fit = fit_options(args);
    plan.seeds = training_seeds(args, 0);
    plan.shifts = variants_option(args);
    plan.baselines = !args.flag("no-baselines");
    plan.tuning_budget = args.integer("tuning-budget", -1, -1, std::numeric_limits<int64_t>::max());

    std::unique_ptr<GaussianMixtureDenoiser> toy;
    FashionSetup fashion;
    Testbed test, tuning;
    int64_t count = 0;
    if (args.has("toy")) {
        const std::string name = args.text("toy", "ring8");
        toy = std::make_unique<GaussianMixtureDenoiser>(make_toy_mixture(name), "toy:" + name);
        plan.fit.dtype = torch::kFloat64;
        plan.fit.conditional = false;
        count = args.integer("count", 4000, 100, 1000000);
        auto truth = [&](uint64_t seed, int64_t n) {
            at::Generator g = make_generator(seed);
            return toy->mixture().sample(n, g);
        };
        test = toy_testbed(*toy, toy->mixture(), truth(777, count), evaluation_seeds(args), &cancel);
        tuning = toy_testbed(*toy, toy->mixture(), truth(999, std::min<int64_t>(count, 2000)), {31337}, &cancel);
    } else {
        fashion = load_fashion_setup(args);
        count = args.integer("count", 10000, 100, 100000);
        test = image_testbed(*fashion.denoiser, fashion.classifier, real_test_features(fashion.classifier, count), count,
                             evaluation_seeds(args), &cancel);
        // The tuned schedule is chosen on training images only.
        const int64_t tuning_count = args.integer("tuning-count", 1000, 100, 100000);
        const ImageDataset train = load_fashion_mnist("train");
        const torch::Tensor features = classify(fashion.classifier, train.images.narrow(0, 0, std::max<int64_t>(tuning_count, 1000))).features;
        tuning = image_testbed(*fashion.denoiser, fashion.classifier, features, tuning_count, {31337}, &cancel);
    }
    plan.screening = screening_option(args, count);
    const bool verbose = args.flag("verbose");
    const std::vector<std::string> keys = test.shown;
    plan.on_row = [keys, verbose](const std::string& name, const nlohmann::json& row) {
        if (verbose || name.rfind("classic ", 0) != 0) print_row(name, row, keys);
    };
    auto bar = std::make_shared<std::unique_ptr<ProgressBar>>();
    plan.on_iteration = [bar](const std::string& fit, const ScheduleFitProgress& p) {
        if (!*bar || p.iteration == 1) *bar = std::make_unique<ProgressBar>("claim " + fit);
        (*bar)->update(p.iteration, p.iterations, p.seconds, "distance " + fixed(p.loss, 5));
        if (p.iteration == p.iterations) (*bar)->finish();
    };
    const ScheduleBenchResult r = run_schedule_bench(test, tuning, plan);
    const nlohmann::json report = {{"method", method},
                                   {"testbed", args.has("toy") ? "toy:" + args.text("toy", "ring8") : std::string("fashion-mnist")},
                                   {"solver", to_string(plan.fit.solver)},
                                   {"nfe", r.nfe},
                                   {"samples", count},
                                   {"evaluation_seeds", test.seeds},
                                   {"training_seeds", plan.seeds},
                                   {"learned", r.learned},
                                   {"pooled", r.pooled},
                                   {"warm_start", r.warm_start},
                                   {"classic", r.classic},
                                   {"best_classic", r.best_classic.empty() ? nlohmann::json() : r.best_classic.front()},
                                   {"tuned_schedule", r.tuned},
                                   {"verdicts", r.verdicts}};
    const std::string primary = test.primary();
    for (const nlohmann::json& v : r.verdicts) {
        if (!v.contains(primary + "_vs_best_classic")) continue;
        const nlohmann::json& c = v[primary + "_vs_best_classic"];
        std::fprintf(stderr, "verdict (%s): learned %.5g vs best classic %.5g, margin %.3g, spread %.3g: %s\n",
                     v["shifts"].get<bool>() ? "with query shifts" : "levels only", c["learned"].get<double>(), c["classic"].get<double>(),
                     c["margin"].get<double>(), c["spread"].get<double>(), c["holds"].get<bool>() ? "holds" : "does not hold");
    }
    std::cout << report.dump() << std::endl;
    return kExitOk;
}

}  // namespace irl::cli
