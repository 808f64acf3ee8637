// The IRL benchmarks: learned policies against every fixed choice of the same actions on a 2-D
// toy and on Fashion-MNIST, and bias correction. Results go to docs/irl.md with their commands.
#include "bench_classic.h"
#include "bench_setup.h"
#include "commands.h"
#include "progress_bar.h"

#include "irl/engine/core/random.h"
#include "irl/engine/data/image_dataset.h"
#include "irl/engine/data/toy_mixtures.h"
#include "irl/engine/metrics/image_evaluation.h"
#include "irl/engine/metrics/sample_metrics.h"
#include "irl/engine/models/gaussian_mixture_denoiser.h"
#include "irl/engine/sampling/schedule.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>

namespace irl::cli {

namespace {

// "1000003,1000004,1000005" or the default: three sampling seeds no training run uses.
std::vector<uint64_t> evaluation_seeds(const Arguments& args) {
    std::vector<uint64_t> seeds;
    for (double s : args.numbers("eval-seeds")) seeds.push_back(static_cast<uint64_t>(s));
    if (seeds.empty()) seeds = {1000003, 1000004, 1000005};
    return seeds;
}

// The classic solvers a user can pick (gDDIM at stochasticity 0 is Euler).
const std::vector<Solver> kClassicSolvers{Solver::Euler, Solver::Heun, Solver::DpmSolver2M, Solver::EulerAncestral};

// Does `learned` beat `classic` on `key` (lower is better) by more than the spread across seeds?
nlohmann::json verdict(const nlohmann::json& learned, const nlohmann::json& classic, const std::string& key, bool absolute = false) {
    const double a = absolute ? std::abs(learned[key].get<double>()) : learned[key].get<double>();
    const double b = absolute ? std::abs(classic[key].get<double>()) : classic[key].get<double>();
    const double spread = std::max(learned.value(key + "_spread", 0.0), classic.value(key + "_spread", 0.0));
    return {{"learned", a}, {"classic", b}, {"margin", b - a}, {"spread", spread}, {"holds", b - a > spread}};
}

}  // namespace

int bench_irl_toy(const Arguments& args, const CancelToken& cancel) {
    // On a 2-D toy with its exact denoiser: policies learned by IRL (one per training seed and
    // divergence) against (1) every fixed choice of the same actions on the same base, (2) every
    // classic solver at the same number of function evaluations over sigma_max x rho, (3) a
    // schedule tuned by coordinate descent with as many function evaluations as training spent.
    // Scored against 4000 fresh true samples on evaluation seeds no training used: MMD^2 with a
    // multi-scale Gaussian kernel, the exact mean log density and its gap to the true samples'.
    const std::string toy_name = args.text("toy", "ring8");
    GaussianMixtureDenoiser denoiser(make_toy_mixture(toy_name), "toy:" + toy_name);
    const GaussianMixture& data = denoiser.mixture();
    IrlOptions options;
    options.sampler.solver = solver_from_string(args.text("solver", "heun"));
    options.sampler.sigmas = karras_schedule(static_cast<int>(args.integer("steps", 6, 1, 1000)));
    options.sampler.budget = args.integer("budget", -1, -1, 100000);
    options.batch = 128;
    options.policy_lr = 0.1;
    options.conditional = false;
    options = irl_options(args, options);
    const ActionSpace space = parse_action_space(args.text("actions", "churn=0,0.2,0.5,1"));
    const int64_t levels = static_cast<int64_t>(options.sampler.sigmas.size()) - 1;
    const int64_t count = args.integer("count", 4000, 100, 1000000);
    const std::vector<double> bandwidths{0.05, 0.2, 1.0};
    auto toy_testbed = [&](uint64_t truth_seed, std::vector<uint64_t> seeds, int64_t n) {
        at::Generator truth_generator = make_generator(truth_seed);
        const torch::Tensor truth = data.sample(n, truth_generator);
        const torch::Tensor tiny = torch::full({n}, 0.002, torch::kFloat64);
        const double truth_log_density = data.log_density(truth, tiny).mean().item<double>();
        Testbed t;
        t.denoiser = &denoiser;
        t.count = n;
        t.dtype = torch::kFloat64;
        t.seeds = std::move(seeds);
        t.cancel = &cancel;
        t.primary = "mmd2";
        t.metrics = [&data, truth, tiny, truth_log_density, bandwidths](const torch::Tensor& samples, const torch::Tensor&) {
            const double log_density = data.log_density(samples, tiny).mean().item<double>();
            // k-NN precision and recall (k = 3): how much of the samples lies on the data, and
            // how much of the data the samples cover.
            const PrecisionRecall pr = precision_recall(truth, samples, 3);
            return nlohmann::json{{"mmd2", mmd_squared(samples, truth, bandwidths)}, {"mean_log_density", log_density},
                                  {"log_density_gap", log_density - truth_log_density}, {"precision", pr.precision}, {"recall", pr.recall}};
        };
        return t;
    };
    const Testbed test = toy_testbed(777, evaluation_seeds(args), count);
    // Tuning never sees the scoring data: other true samples, another sampling seed.
    const Testbed tuning = toy_testbed(999, {31337}, std::min<int64_t>(count, 2000));
    const std::vector<std::string> keys{"mmd2", "mean_log_density", "log_density_gap"};

    // (1) Every fixed choice of the actions, when there are few enough to try them all.
    nlohmann::json grid_rows = nlohmann::json::array();
    int64_t grid_evaluations = 0;
    const auto grid = action_grid(space);
    if (grid.size() <= 256) {
        for (const auto& choice : grid) {
            FixedPolicy fixed_policy(space, levels, choice, std::max<int64_t>(0, options.sampler.budget));
            nlohmann::json row = score_sampler(test, options.sampler, &fixed_policy);
            grid_evaluations += row["evaluations"].get<int64_t>();
            row["actions"] = describe(space, choice);
            print_row("fixed " + describe(space, choice), row, keys);
            grid_rows.push_back(row);
        }
    }
    const nlohmann::json best_fixed = best_row(grid_rows, "mmd2");

    // (2) Learned policies: one per training seed and divergence.
    const int64_t iterations = args.integer("iterations", 60, 1, 100000);
    nlohmann::json learned = nlohmann::json::array();
    const std::vector<DivergenceSpec> divergences = parse_divergences(args.text("divergence", "jensen-shannon"));
    int64_t most_training = 0;
    double most_nfe = 0.0;
    for (const uint64_t seed : training_seeds(args, options.seed))
    for (const DivergenceSpec& divergence : divergences) {
        options.seed = seed;
        options.divergence = divergence;
        at::Generator expert_generator = make_generator(seed + 1);
        const torch::Tensor expert = data.sample(50000, expert_generator);
        auto policy = std::make_shared<TablePolicy>(space, levels, std::max<int64_t>(0, options.sampler.budget));
        IrlTrainer trainer(denoiser, policy, expert, options);
        IrlIteration last;
        for (int64_t i = 0; i < iterations; ++i) last = trainer.iterate(&cancel);
        nlohmann::json row = score_sampler(test, options.sampler, policy.get());
        row["greedy_schedule"] = schedule_taken(trainer.sample_greedy(1, test.seeds.front(), &cancel, true).path, 0);
        row["divergence"] = to_string(divergence.kind);
        row["pr_lambda"] = divergence.pr_lambda;
        row["seed"] = seed;
        row["training_evaluations"] = trainer.total_evaluations();
        row["discriminator_accuracy"] = last.discriminator_accuracy;
        row["action_probabilities"] = probabilities_json(last.action_probabilities);
        print_row("learned " + divergence_label(divergence) + " seed " + std::to_string(seed), row, keys);
        if (args.flag("sampled")) {
            row["sampled"] = score_sampler(test, options.sampler, policy.get(), 1.0);
            print_row("  sampled at temperature 1", row["sampled"], keys);
        }
        most_training = std::max(most_training, trainer.total_evaluations());
        most_nfe = std::max(most_nfe, row["nfe"].get<double>());
        learned.push_back(row);
    }

    // (3) Every classic solver at the learned policies' budget (or the NFE they reached).
    const int nfe = static_cast<int>(args.integer("classic-nfe", options.sampler.budget > 0 ? options.sampler.budget : std::lround(most_nfe), 1, 1000));
    const nlohmann::json classic = classic_grid(test, nfe, kClassicSolvers);
    for (const nlohmann::json& row : classic)
        if (args.flag("verbose"))
            print_row("classic " + row["solver"].get<std::string>() + " sigma_max " + fixed(row["sigma_max"].get<double>(), 0) + " rho " +
                          fixed(row["rho"].get<double>(), 0),
                      row, keys);
    const nlohmann::json best_classic = best_row(classic, "mmd2"), closest_classic = best_row(classic, "log_density_gap", true);
    print_row("best classic by MMD^2: " + best_classic["solver"].get<std::string>() + " " + fixed(best_classic["sigma_max"].get<double>(), 0) +
                  "/" + fixed(best_classic["rho"].get<double>(), 0),
              best_classic, keys);
    print_row("best classic by log density: " + closest_classic["solver"].get<std::string>(), closest_classic, keys);

    // (4) A schedule tuned for DPM-Solver++(2M) with as many function evaluations as training spent.
    const int64_t tuning_budget = args.integer("tuning-budget", most_training, 0, std::numeric_limits<int64_t>::max());
    const nlohmann::json tuned = tuned_schedule(tuning, test, Solver::DpmSolver2M, nfe, 64, tuning_budget);
    print_row("tuned schedule (dpmpp-2m)", tuned, keys);

    nlohmann::json verdicts = nlohmann::json::array();
    for (const nlohmann::json& row : learned)
        verdicts.push_back({{"seed", row["seed"]}, {"divergence", row["divergence"]},
                            {"mmd2_vs_best_classic", verdict(row, best_classic, "mmd2")},
                            {"log_density_gap_vs_best_classic", verdict(row, best_classic, "log_density_gap", true)},
                            {"log_density_gap_vs_closest_classic", verdict(row, closest_classic, "log_density_gap", true)},
                            {"mmd2_vs_tuned_schedule", verdict(row, tuned, "mmd2")}});
    const nlohmann::json report = {{"toy", toy_name}, {"solver", to_string(options.sampler.solver)}, {"steps", levels},
                                   {"budget", options.sampler.budget}, {"actions", nlohmann::json::parse(space.to_json())},
                                   {"samples", count}, {"evaluation_seeds", test.seeds}, {"nfe", nfe},
                                   {"fixed_grid", grid_rows}, {"fixed_grid_evaluations", grid_evaluations}, {"best_fixed", best_fixed},
                                   {"learned", learned}, {"classic", classic}, {"best_classic", best_classic},
                                   {"closest_classic", closest_classic}, {"tuned_schedule", tuned}, {"verdicts", verdicts}};
    std::cout << report.dump() << std::endl;
    return kExitOk;
}

int bench_irl_fashion(const Arguments& args, const CancelToken& cancel) {
    // The bundled Fashion-MNIST denoiser: IRL policies (one per training seed and divergence;
    // expert data: the training images) against (1) every fixed choice of the same actions when
    // there are few, (2) every classic solver at the same number of function evaluations over
    // sigma_max x rho, its settings chosen on training images, (3) a schedule tuned on training
    // images with as many function evaluations as training spent. All scored on --count samples
    // (classes in turn) against the Fashion-MNIST test images, on evaluation seeds no training used.
    auto [model_path, denoiser, classifier] = load_fashion_setup(args);
    const int64_t count = args.integer("count", 1000, 100, 100000);
    SamplerSettings sampler;
    sampler.solver = solver_from_string(args.text("solver", "heun"));
    sampler.sigmas = karras_schedule(static_cast<int>(args.integer("steps", 5, 1, 1000)));
    sampler.budget = args.integer("budget", -1, -1, 100000);
    const ActionSpace space = parse_action_space(args.text("actions", "guidance=1,1.5,2,3;churn=0,0.1,0.3"));
    const int64_t levels = static_cast<int64_t>(sampler.sigmas.size()) - 1;
    const int64_t classes = denoiser->num_classes();
    const ImageDataset train = load_fashion_mnist("train");
    auto image_testbed = [&](const torch::Tensor& real_features, std::vector<uint64_t> seeds, int64_t n) {
        Testbed t;
        t.denoiser = denoiser.get();
        t.count = n;
        t.labels = torch::arange(n, torch::kInt64) % classes;
        t.seeds = std::move(seeds);
        t.cancel = &cancel;
        t.primary = "fd";
        FashionClassifier scorer = classifier;
        t.metrics = [scorer, real_features](const torch::Tensor& samples, const torch::Tensor& labels) mutable {
            const ImageScores s = score_images(scorer, samples, labels, real_features);
            return nlohmann::json{{"fd", s.fd}, {"precision", s.precision}, {"recall", s.recall}, {"class_accuracy", s.class_accuracy}};
        };
        return t;
    };
    const std::vector<uint64_t> eval_seeds = evaluation_seeds(args);
    const Testbed test = image_testbed(real_test_features(classifier, count), eval_seeds, count);
    // Chosen on training images only: the classic settings and the tuned schedule.
    const int64_t tuning_count = args.integer("tuning-count", 1000, 100, 100000);
    const Testbed tuning =
        image_testbed(classify(classifier, train.images.narrow(0, 0, std::max<int64_t>(tuning_count, 1000))).features, {31337}, tuning_count);
    const std::vector<std::string> keys{"fd", "precision", "recall", "class_accuracy"};

    nlohmann::json grid_rows = nlohmann::json::array();
    int64_t grid_evaluations = 0;
    const auto grid = action_grid(space);
    if (grid.size() <= 64) {
        for (const auto& choice : grid) {
            FixedPolicy fixed_policy(space, levels, choice, std::max<int64_t>(0, sampler.budget));
            nlohmann::json row = score_sampler(test, sampler, &fixed_policy);
            grid_evaluations += row["evaluations"].get<int64_t>();
            row["actions"] = describe(space, choice);
            print_row("fixed " + describe(space, choice), row, keys);
            grid_rows.push_back(row);
        }
    }

    nlohmann::json learned = nlohmann::json::array();
    IrlOptions base;
    base.sampler = sampler;
    base.batch = 64;
    base.policy_lr = 0.1;
    base = irl_options(args, base);
    const int64_t iterations = args.integer("iterations", 40, 1, 100000);
    const std::vector<DivergenceSpec> divergences = parse_divergences(args.text("divergence", "jensen-shannon"));
    int64_t most_training = 0;
    double most_nfe = 0.0;
    const std::vector<uint64_t> seeds = training_seeds(args, base.seed);
    for (size_t k = 0; k < seeds.size(); ++k)
    for (const DivergenceSpec& divergence : divergences) {
        IrlOptions options = base;
        options.divergence = divergence;
        options.seed = seeds[k];
        auto policy = std::make_shared<TablePolicy>(space, levels, std::max<int64_t>(0, sampler.budget));
        IrlTrainer trainer(*denoiser, policy, train.images, options);
        const double start = now_seconds();
        IrlIteration last;
        ProgressBar bar("irl-fashion " + divergence_label(divergence) + " seed " + std::to_string(seeds[k]));
        for (int64_t i = 0; i < iterations; ++i) {
            last = trainer.iterate(&cancel);
            bar.update(i + 1, iterations, now_seconds() - start, "disc acc " + fixed(last.discriminator_accuracy, 2));
        }
        bar.finish();
        // Each training seed is scored on its own evaluation seed (10 000 samples each).
        Testbed own = test;
        own.seeds = {eval_seeds[k % eval_seeds.size()]};
        nlohmann::json row = score_sampler(own, sampler, policy.get());
        row["greedy_schedule"] = schedule_taken(trainer.sample_greedy(1, own.seeds.front(), &cancel, true).path, 0);
        row["divergence"] = to_string(divergence.kind);
        row["pr_lambda"] = divergence.pr_lambda;
        row["seed"] = seeds[k];
        row["training_evaluations"] = trainer.total_evaluations();
        row["training_seconds"] = now_seconds() - start;
        row["discriminator_accuracy"] = last.discriminator_accuracy;
        row["action_probabilities"] = probabilities_json(last.action_probabilities);
        print_row("learned " + divergence_label(divergence) + " seed " + std::to_string(seeds[k]), row, keys);
        // Greedy scoring shows only each step's most likely choice; sampling the policy at
        // temperature 1 also shows where its probabilities moved (the precision-recall lambda
        // shifts them before it flips an argmax).
        if (args.flag("sampled")) {
            row["sampled"] = score_sampler(own, sampler, policy.get(), 1.0);
            print_row("  sampled at temperature 1", row["sampled"], keys);
        }
        most_training = std::max(most_training, trainer.total_evaluations());
        most_nfe = std::max(most_nfe, row["nfe"].get<double>());
        learned.push_back(row);
    }

    nlohmann::json classic, best_classic, best_classic_tuning, tuned;
    if (!args.flag("no-baselines")) {
        const int nfe = static_cast<int>(args.integer("classic-nfe", sampler.budget > 0 ? sampler.budget : std::lround(most_nfe), 1, 1000));
        classic = classic_grid(tuning, nfe, kClassicSolvers);
        best_classic_tuning = best_row(classic, "fd");
        SamplerSettings best;
        best.solver = solver_from_string(best_classic_tuning["solver"].get<std::string>());
        best.sigmas = karras_schedule(best_classic_tuning["steps"].get<int>(), 0.002, best_classic_tuning["sigma_max"].get<double>(),
                                      best_classic_tuning["rho"].get<double>());
        best_classic = score_sampler(test, best);
        for (const char* key : {"solver", "sigma_max", "rho", "steps"}) best_classic[key] = best_classic_tuning[key];
        print_row("best classic (chosen on training images): " + best_classic["solver"].get<std::string>() + " " +
                      fixed(best_classic["sigma_max"].get<double>(), 0) + "/" + fixed(best_classic["rho"].get<double>(), 0),
                  best_classic, keys);
        const int64_t tuning_budget = args.integer("tuning-budget", most_training, 0, std::numeric_limits<int64_t>::max());
        tuned = tuned_schedule(tuning, test, Solver::DpmSolver2M, nfe, 64, tuning_budget);
        print_row("tuned schedule (dpmpp-2m)", tuned, keys);
    }
    nlohmann::json verdicts = nlohmann::json::array();
    if (!best_classic.is_null())
        for (const nlohmann::json& row : learned)
            verdicts.push_back({{"seed", row["seed"]}, {"divergence", row["divergence"]}, {"fd_vs_best_classic", verdict(row, best_classic, "fd")},
                                {"fd_vs_tuned_schedule", verdict(row, tuned, "fd")}});
    const nlohmann::json report = {{"solver", to_string(sampler.solver)}, {"steps", levels}, {"budget", sampler.budget}, {"samples", count},
                                   {"actions", nlohmann::json::parse(space.to_json())}, {"evaluation_seeds", eval_seeds},
                                   {"fixed_grid", grid_rows}, {"fixed_grid_evaluations", grid_evaluations},
                                   {"best_fixed", best_row(grid_rows, "fd")}, {"learned", learned}, {"classic_on_training_images", classic},
                                   {"best_classic", best_classic}, {"tuned_schedule", tuned}, {"verdicts", verdicts}};
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
    IrlOptions options;
    options.sampler.solver = solver_from_string(args.text("solver", "heun"));
    options.sampler.sigmas = karras_schedule(static_cast<int>(args.integer("steps", 6, 1, 1000)));
    options.sampler.renoise_cap = args.integer("renoise-cap", 4, 0, 1000);
    options.divergence = parse_divergences(args.text("divergence", "jensen-shannon")).front();
    options.batch = 64;
    options.policy_lr = 3e-3;
    options.entropy_bonus = 0.01;
    options.conditional = false;
    options = irl_options(args, options);
    const ActionSpace space = parse_action_space(args.text("actions", "renoise=0,2;churn=0,0.3"));
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
    FixedPolicy plain(space, levels, std::vector<int64_t>(space.components.size(), 0));
    const nlohmann::json before = report_of(plain, 0.0);
    auto policy = std::make_shared<NetworkPolicy>(space, levels, denoiser->sample_shape(), denoiser->num_classes(), 64, options.seed);
    IrlTrainer trainer(*denoiser, policy, expert.images, options);
    const int64_t iterations = args.integer("iterations", 40, 1, 100000);
    const double start = now_seconds();
    ProgressBar bar("irl-bias");
    IrlIteration last;
    for (int64_t i = 0; i < iterations; ++i) {
        last = trainer.iterate(&cancel);
        bar.update(i + 1, iterations, now_seconds() - start, "disc acc " + fixed(last.discriminator_accuracy, 2));
    }
    bar.finish();
    const nlohmann::json greedy = report_of(*policy, 0.0), sampled = report_of(*policy, 1.0);
    std::vector<double> target_values(target.data_ptr<double>(), target.data_ptr<double>() + num_classes);
    const nlohmann::json report = {{"expert_classes", classes}, {"expert_histogram", target_values}, {"before", before},
                                   {"after_greedy", greedy}, {"after_temperature_1", sampled},
                                   {"training_evaluations", trainer.total_evaluations()}, {"training_seconds", now_seconds() - start},
                                   {"iterations", iterations}, {"final_discriminator_accuracy", last.discriminator_accuracy}};
    std::fprintf(stderr, "class histogram distance to the expert's (total variation): before %.3f, after %.3f (greedy) / %.3f (T=1); "
                 "expert-class fraction %.3f -> %.3f / %.3f\n",
                 before["total_variation"].get<double>(), greedy["total_variation"].get<double>(), sampled["total_variation"].get<double>(),
                 before["expert_class_fraction"].get<double>(), greedy["expert_class_fraction"].get<double>(),
                 sampled["expert_class_fraction"].get<double>());
    std::cout << report.dump() << std::endl;
    return kExitOk;
}

}  // namespace irl::cli
