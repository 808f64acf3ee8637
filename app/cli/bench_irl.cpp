// The IRL benchmarks: learned policies against every fixed choice of the same actions, every
// classic solver and a tuned schedule on a 2-D toy and on Fashion-MNIST (the engine's
// run_policy_bench on a toy or an image testbed), and bias correction. Results go to docs/irl.md
// with their commands.
#include "bench_setup.h"
#include "commands.h"
#include "progress_bar.h"

#include "irl/engine/core/random.h"
#include "irl/engine/data/image_dataset.h"
#include "irl/engine/data/toy_mixtures.h"
#include "irl/engine/learning/irl/policy_bench.h"
#include "irl/engine/metrics/image_evaluation.h"
#include "irl/engine/models/gaussian_mixture_denoiser.h"
#include "irl/engine/sampling/schedule.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdio>
#include <iostream>
#include <limits>
#include <memory>

namespace irl::cli {

namespace {

// The plan's parts every IRL comparison reads from the same flags.
PolicyBenchPlan plan_from(const Arguments& args, PolicyTrainingOptions training, const std::string& divergence_fallback) {
    PolicyBenchPlan plan;
    plan.training = std::move(training);
    plan.seeds = training_seeds(args, plan.training.irl.seed);
    plan.divergences = divergences_option(args, divergence_fallback);
    plan.sampled = args.flag("sampled");
    plan.classic_nfe = static_cast<int>(args.integer("classic-nfe", 0, 0, 1000));
    plan.tuning_budget = args.integer("tuning-budget", -1, -1, std::numeric_limits<int64_t>::max());
    return plan;
}

// What the toy and the Fashion comparison train: --solver (default heun) on --steps Karras
// levels, --budget, --actions, and the shared training settings over the bench's own defaults
// (the divergences are read as a list by plan_from).
PolicyTrainingOptions bench_training(const Arguments& args, int steps, int64_t batch, int64_t iterations, const std::string& actions) {
    PolicyTrainingOptions training;
    training.irl.sampler.solver = solver_from_string(args.text("solver", "heun"));
    training.irl.sampler.sigmas = karras_schedule(static_cast<int>(args.integer("steps", steps, 1, 1000)));
    training.irl.sampler.budget = args.integer("budget", kNoBudget, kNoBudget, 100000);
    training.irl.batch = batch;
    training.irl.policy_lr = 0.1;
    training.iterations = iterations;
    read_policy_training_settings(command_settings(args, {"divergence", "pr-lambda"}), training);
    training.actions = action_space_option(args, actions);
    return training;
}

// Rows on stderr as they are scored; the classic grid's only with --verbose.
void print_rows(PolicyBenchPlan& plan, const Arguments& args, std::vector<std::string> keys) {
    const bool verbose = args.flag("verbose");
    plan.on_row = [keys, verbose](const std::string& name, const nlohmann::json& row) {
        if (verbose || name.rfind("classic ", 0) != 0) print_row(name, row, keys);
    };
}

// One progress bar per learned policy.
void show_training(PolicyBenchPlan& plan, const std::string& bench) {
    auto bar = std::make_shared<std::unique_ptr<ProgressBar>>();
    plan.on_iteration = [bar, bench](const std::string& policy, const PolicyTrainingProgress& p) {
        if (!*bar || p.iteration.iteration == 1) *bar = std::make_unique<ProgressBar>(bench + " " + policy);
        (*bar)->update(p.iteration.iteration, p.iterations, p.seconds, "disc acc " + fixed(p.iteration.discriminator_accuracy, 2));
        if (p.iteration.iteration == p.iterations) (*bar)->finish();
    };
}

nlohmann::json common_report(const PolicyBenchPlan& plan, const Testbed& test, const PolicyBenchResult& r) {
    const SamplerSettings& sampler = plan.training.irl.sampler;
    return {{"solver", to_string(sampler.solver)}, {"steps", static_cast<int64_t>(sampler.sigmas.size()) - 1},
            {"budget", sampler.budget}, {"actions", nlohmann::json::parse(plan.training.actions.to_json())},
            {"samples", test.count}, {"evaluation_seeds", test.seeds}, {"fixed_grid", r.fixed_grid},
            {"fixed_grid_evaluations", r.fixed_grid_evaluations}, {"best_fixed", r.best_fixed}, {"learned", r.learned}, {"pooled", r.pooled},
            {"tuned_schedule", r.tuned}, {"verdicts", r.verdicts}};
}

}  // namespace

GridScreening screening_option(const Arguments& args, int64_t count) {
    GridScreening screening;
    screening.count = args.integer("screen-count", std::min<int64_t>(count, std::max<int64_t>(200, count / 4)), 0, count);
    return screening;
}

int bench_irl_toy(const Arguments& args, const CancelToken& cancel) {
    // On a 2-D toy with its exact denoiser: policies learned by IRL (one per training seed and
    // divergence) against (1) every fixed choice of the same actions on the same base, (2) every
    // classic solver at the same number of function evaluations over sigma_max x rho, (3) a
    // schedule tuned by coordinate descent with as many function evaluations as training spent.
    // Scored against --count fresh true samples on evaluation seeds no training used: MMD^2 with a
    // multi-scale Gaussian kernel, the exact mean log density and its gap to the true samples'.
    const std::string toy_name = args.text("toy", "ring8");
    GaussianMixtureDenoiser denoiser(make_toy_mixture(toy_name), "toy:" + toy_name);
    const GaussianMixture& data = denoiser.mixture();
    PolicyTrainingOptions training = bench_training(args, 6, 128, 60, "churn=0,0.2,0.5,1");
    training.irl.conditional = false;
    const int64_t count = args.integer("count", 4000, 100, 1000000);
    auto truth = [&](uint64_t seed, int64_t n) {
        at::Generator g = make_generator(seed);
        return data.sample(n, g);
    };
    const Testbed test = toy_testbed(denoiser, data, truth(777, count), evaluation_seeds(args), &cancel);
    // Tuning never sees the scoring data: other true samples, another sampling seed.
    const Testbed tuning = toy_testbed(denoiser, data, truth(999, std::min<int64_t>(count, 2000)), {31337}, &cancel);

    PolicyBenchPlan plan = plan_from(args, training, "jensen-shannon");
    plan.expert = [&](uint64_t seed) { return truth(seed + 1, 50000); };
    plan.fixed_grid_limit = 256;
    plan.screening = screening_option(args, count);
    print_rows(plan, args, test.shown);
    const PolicyBenchResult r = run_policy_bench(test, tuning, plan);
    nlohmann::json report = common_report(plan, test, r);
    report["toy"] = toy_name;
    report["nfe"] = r.nfe;
    report["classic"] = r.classic;
    report["best_classic"] = r.best_classic.at(0);
    report["closest_classic"] = r.best_classic.at(1);
    std::cout << report.dump() << std::endl;
    return kExitOk;
}

int bench_irl_fashion(const Arguments& args, const CancelToken& cancel) {
    // The bundled Fashion-MNIST denoiser: IRL policies (one per training seed and divergence;
    // expert data: the training images) against (1) every fixed choice of the same actions when
    // there are few, (2) every classic solver at the same number of function evaluations over
    // sigma_max x rho (screened, the best rescored), (3) a schedule tuned on training images with
    // as many function evaluations as training spent. All scored on --count samples (classes in
    // turn) against the Fashion-MNIST test images, on the same evaluation seeds no training used.
    auto [model_path, denoiser, classifier] = load_fashion_setup(args);
    const int64_t count = args.integer("count", 1000, 100, 100000);
    const PolicyTrainingOptions training = bench_training(args, 5, 64, 40, "guidance=1,1.5,2,3;churn=0,0.1,0.3");
    const ImageDataset train = load_fashion_mnist("train");
    const Testbed test = image_testbed(*denoiser, classifier, real_test_features(classifier, count), count, evaluation_seeds(args), &cancel);
    // The tuned schedule is chosen on training images only (the classic grid on the test testbed,
    // the strongest baseline with hindsight).
    const int64_t tuning_count = args.integer("tuning-count", 1000, 100, 100000);
    const torch::Tensor tuning_features = classify(classifier, train.images.narrow(0, 0, std::max<int64_t>(tuning_count, 1000))).features;
    const Testbed tuning = image_testbed(*denoiser, classifier, tuning_features, tuning_count, {31337}, &cancel);

    PolicyBenchPlan plan = plan_from(args, training, "jensen-shannon");
    plan.expert = [&](uint64_t) { return train.images; };
    plan.fixed_grid_limit = 64;
    plan.screening = screening_option(args, count);
    plan.baselines = !args.flag("no-baselines");
    print_rows(plan, args, test.shown);
    show_training(plan, "irl-fashion");
    const PolicyBenchResult r = run_policy_bench(test, tuning, plan);
    nlohmann::json report = common_report(plan, test, r);
    report["classic"] = r.classic;
    report["best_classic"] = r.best_classic.empty() ? nlohmann::json() : r.best_classic.front();
    std::cout << report.dump() << std::endl;
    return kExitOk;
}

int bench_irl_bias(const Arguments& args, const CancelToken& cancel) {
    // Benchmark 4 of the IRL issue: bias correction. The expert data are a subset of classes
    // (default footwear: sandal 5, sneaker 7, ankle boot 9); the sampler is unconditional (the
    // null label), so only the policy's state-dependent choices (renoise: jump back up and try
    // again, churn) can move what it draws. Class histograms by the metrics classifier, before
    // (the plain sampler) and after (the learned network policy), against the expert's.
    auto [model_path, denoiser, classifier] = load_fashion_setup(args);
    std::vector<int64_t> classes;
    for (double c : args.numbers("expert-classes")) classes.push_back(static_cast<int64_t>(c));
    if (classes.empty()) classes = {5, 7, 9};
    const ImageDataset expert = load_fashion_mnist("train").filtered(classes);
    PolicyTrainingOptions training;
    IrlOptions& options = training.irl;
    options.sampler.solver = solver_from_string(args.text("solver", "heun"));
    options.sampler.sigmas = karras_schedule(static_cast<int>(args.integer("steps", 6, 1, 1000)));
    options.sampler.renoise_cap = args.integer("renoise-cap", 4, 0, 1000);
    options.divergence = divergences_option(args, "jensen-shannon").front();
    options.batch = 64;
    options.policy_lr = 3e-3;
    options.entropy_bonus = 0.01;
    options.conditional = false;
    training.policy = "network";
    training.iterations = 40;
    read_policy_training_settings(command_settings(args, {"divergence", "pr-lambda"}), training);
    training.actions = action_space_option(args, "renoise=0,2;churn=0,0.3");
    const int64_t levels = static_cast<int64_t>(options.sampler.sigmas.size()) - 1;
    const int64_t count = args.integer("count", 1000, 100, 100000);
    const int64_t num_classes = classifier->classes();
    auto histogram = [&](const torch::Tensor& images) {
        const torch::Tensor predicted = classify(classifier, images).logits.argmax(1);
        return torch::bincount(predicted, {}, num_classes).to(torch::kFloat64) / double(images.size(0));
    };
    const torch::Tensor target = histogram(expert.images);
    auto report_of = [&](Policy& policy, double temperature) {
        SampleRequest request;
        request.count = count;
        request.seed = 4242;
        request.cancel = &cancel;
        const SampleResult r = rollout_policy(*denoiser, policy, options.sampler, request, temperature, false).result;
        const torch::Tensor h = histogram(r.samples);
        std::vector<double> values(h.data_ptr<double>(), h.data_ptr<double>() + num_classes);
        return nlohmann::json{{"histogram", values}, {"total_variation", 0.5 * (h - target).abs().sum().item<double>()},
                              {"expert_class_fraction", h.index_select(0, torch::tensor(classes)).sum().item<double>()},
                              {"nfe", r.nfe}};
    };
    FixedPolicy plain(training.actions, levels, std::vector<int64_t>(training.actions.components.size(), 0));
    const nlohmann::json before = report_of(plain, 0.0);
    PolicyTraining run(*denoiser, expert.images, training);
    ProgressBar bar("irl-bias");
    PolicyTrainingControl control;
    control.cancel = &cancel;
    control.on_iteration = [&](const PolicyTrainingProgress& p) {
        bar.update(p.iteration.iteration, p.iterations, p.seconds, "disc acc " + fixed(p.iteration.discriminator_accuracy, 2));
    };
    const PolicyTrainingOutcome outcome = run.run(control);
    bar.finish();
    const nlohmann::json greedy = report_of(*run.policy(), 0.0), sampled = report_of(*run.policy(), 1.0);
    std::vector<double> target_values(target.data_ptr<double>(), target.data_ptr<double>() + num_classes);
    const nlohmann::json report = {{"expert_classes", classes}, {"expert_histogram", target_values}, {"before", before},
                                   {"after_greedy", greedy}, {"after_temperature_1", sampled},
                                   {"training_evaluations", run.trainer().total_evaluations()}, {"training_seconds", outcome.seconds},
                                   {"iterations", training.iterations}, {"final_discriminator_accuracy", outcome.last.discriminator_accuracy}};
    std::fprintf(stderr, "class histogram distance to the expert's (total variation): before %.3f, after %.3f (greedy) / %.3f (T=1); "
                 "expert-class fraction %.3f -> %.3f / %.3f\n",
                 before["total_variation"].get<double>(), greedy["total_variation"].get<double>(), sampled["total_variation"].get<double>(),
                 before["expert_class_fraction"].get<double>(), greedy["expert_class_fraction"].get<double>(),
                 sampled["expert_class_fraction"].get<double>());
    std::cout << report.dump() << std::endl;
    return kExitOk;
}

}  // namespace irl::cli
