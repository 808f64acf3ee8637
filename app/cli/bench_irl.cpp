// The IRL benchmarks: learned policies against every fixed choice of the same actions on a 2-D
// toy and on Fashion-MNIST, and bias correction. Results go to docs/irl.md with their commands.
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

#include <cstdio>
#include <iostream>
#include <limits>

namespace irl::cli {

int bench_irl_toy(const Arguments& args, const CancelToken& cancel) {
    // Benchmark 1 of the IRL issue: on a 2-D toy with its exact denoiser, a policy learned by IRL
    // against the best fixed choice of an exhaustive grid over the same actions, scored against
    // fresh true samples (MMD^2 with a multi-scale Gaussian kernel, and the exact log density).
    const std::string toy_name = args.text("toy", "ring8");
    GaussianMixtureDenoiser denoiser(make_toy_mixture(toy_name), "toy:" + toy_name);
    const GaussianMixture& data = denoiser.mixture();
    IrlOptions options;
    options.sampler.solver = solver_from_string(args.text("solver", "heun"));
    options.sampler.sigmas = karras_schedule(static_cast<int>(args.integer("steps", 6, 1, 1000)));
    options.batch = 128;
    options.policy_lr = 0.1;
    options.conditional = false;
    options = irl_options(args, options);
    const ActionSpace space = parse_action_space(args.text("actions", "churn=0,0.2,0.5,1"));
    const int64_t levels = static_cast<int64_t>(options.sampler.sigmas.size()) - 1;
    const int64_t count = args.integer("count", 4000, 100, 1000000);
    const std::vector<double> bandwidths{0.05, 0.2, 1.0};
    at::Generator truth_generator = make_generator(777);
    const torch::Tensor truth = data.sample(count, truth_generator);
    const torch::Tensor tiny = torch::full({count}, 0.002, torch::kFloat64);

    struct ToyScore {
        double mmd2, log_density, precision, recall;
        SampleResult result;
        nlohmann::json json() const {
            return {{"mmd2", mmd2}, {"mean_log_density", log_density}, {"precision", precision}, {"recall", recall}, {"nfe", result.nfe}};
        }
    };
    auto score = [&](Policy& policy, double temperature = 0.0) {
        SampleRequest request;
        request.count = count;
        request.seed = 4242;
        request.cancel = &cancel;
        request.dtype = torch::kFloat64;
        ToyScore s;
        s.result = rollout_policy(denoiser, policy, options.sampler, request, temperature, false).result;
        s.mmd2 = mmd_squared(s.result.samples, truth, bandwidths);
        s.log_density = data.log_density(s.result.samples, tiny).mean().item<double>();
        // k-NN precision and recall (k = 3) against the fresh true samples: how much of the
        // samples lies on the data, and how much of the data the samples cover.
        const PrecisionRecall pr = precision_recall(truth, s.result.samples, 3);
        s.precision = pr.precision;
        s.recall = pr.recall;
        return s;
    };
    nlohmann::json grid_rows = nlohmann::json::array();
    int64_t grid_evaluations = 0;
    double best_mmd = std::numeric_limits<double>::infinity();
    std::string best_name;
    auto print = [](const std::string& name, const ToyScore& s) {
        std::fprintf(stderr, "%-33s MMD^2 %.5f  log density %8.3f  precision %.3f  recall %.3f  NFE %.2f\n", name.c_str(), s.mmd2,
                     s.log_density, s.precision, s.recall, s.result.nfe);
    };
    for (const auto& choice : action_grid(space)) {
        FixedPolicy fixed_policy(space, levels, choice);
        const ToyScore s = score(fixed_policy);
        grid_evaluations += s.result.evaluations.sum().item<int64_t>();
        nlohmann::json row = s.json();
        row["actions"] = describe(space, choice);
        grid_rows.push_back(row);
        print("grid " + describe(space, choice), s);
        if (s.mmd2 < best_mmd) best_mmd = s.mmd2, best_name = describe(space, choice);
    }
    const int64_t iterations = args.integer("iterations", 60, 1, 100000);
    // One table policy per seed and divergence ("jensen-shannon" or a list such as
    // "precision-recall:0.2,precision-recall:5"); the first one fills the summary fields.
    nlohmann::json learned = nlohmann::json::array();
    const std::vector<DivergenceSpec> divergences = parse_divergences(args.text("divergence", "jensen-shannon"));
    for (const uint64_t seed : training_seeds(args, options.seed))
    for (const DivergenceSpec& divergence : divergences) {
        options.seed = seed;
        options.divergence = divergence;
        at::Generator expert_generator = make_generator(seed + 1);
        const torch::Tensor expert = data.sample(50000, expert_generator);
        auto policy = std::make_shared<TablePolicy>(space, levels);
        IrlTrainer trainer(denoiser, policy, expert, options);
        IrlIteration last;
        for (int64_t i = 0; i < iterations; ++i) last = trainer.iterate(&cancel);
        const ToyScore s = score(*policy);
        nlohmann::json row = s.json();
        row["divergence"] = to_string(divergence.kind);
        row["pr_lambda"] = divergence.pr_lambda;
        row["seed"] = seed;
        row["training_evaluations"] = trainer.total_evaluations();
        row["discriminator_accuracy"] = last.discriminator_accuracy;
        row["action_probabilities"] = probabilities_json(last.action_probabilities);
        print("learned " + divergence_label(divergence) + " seed " + std::to_string(seed), s);
        if (args.flag("sampled")) {
            const ToyScore t = score(*policy, 1.0);
            row["sampled"] = t.json();
            print("  sampled at temperature 1", t);
        }
        learned.push_back(row);
    }
    const nlohmann::json& first = learned.front();
    const int64_t training_evaluations = first["training_evaluations"].get<int64_t>();
    const nlohmann::json report = {{"toy", toy_name}, {"solver", to_string(options.sampler.solver)}, {"steps", levels},
                                   {"divergence", first["divergence"]}, {"grid", grid_rows},
                                   {"best_fixed", best_name}, {"best_fixed_mmd2", best_mmd},
                                   {"learned_mmd2", first["mmd2"]}, {"learned_mean_log_density", first["mean_log_density"]},
                                   {"learned_nfe", first["nfe"]}, {"learned", learned},
                                   {"grid_evaluations", grid_evaluations}, {"training_evaluations", training_evaluations},
                                   {"learned_beats_grid", first["mmd2"].get<double>() < best_mmd},
                                   {"training_cheaper_than_grid", training_evaluations < grid_evaluations},
                                   {"seed", first["seed"]}, {"samples", count}};
    std::cout << report.dump() << std::endl;
    return kExitOk;
}

int bench_irl_fashion(const Arguments& args, const CancelToken& cancel) {
    // Benchmark 2 of the IRL issue: the bundled Fashion-MNIST denoiser at about 10 function
    // evaluations (Heun, 5 steps = 9). An exhaustive grid of fixed guidance x churn choices, each
    // scored on --count conditional samples, against table policies learned by IRL over the same
    // actions (one per divergence), scored the same way; the function evaluations each spent.
    auto [model_path, denoiser, classifier] = load_fashion_setup(args);
    const int64_t count = args.integer("count", 1000, 100, 100000);
    const torch::Tensor real = real_test_features(classifier, count);
    SamplerSettings sampler;
    sampler.solver = solver_from_string(args.text("solver", "heun"));
    sampler.sigmas = karras_schedule(static_cast<int>(args.integer("steps", 5, 1, 1000)));
    const ActionSpace space = parse_action_space(args.text("actions", "guidance=1,1.5,2,3;churn=0,0.1,0.3"));
    const int64_t levels = static_cast<int64_t>(sampler.sigmas.size()) - 1;
    SampleRequest request;
    request.count = count;
    request.seed = 4242;
    request.labels = torch::arange(count, torch::kInt64) % denoiser->num_classes();
    request.cancel = &cancel;
    auto score = [&](Policy& policy, int64_t* evaluations, double temperature = 0.0) {
        const SampleResult r = rollout_policy(*denoiser, policy, sampler, request, temperature, false).result;
        if (evaluations) *evaluations += r.evaluations.sum().item<int64_t>();
        ImageScores s = score_images(classifier, r.samples, request.labels, real);
        return nlohmann::json{{"fd", s.fd}, {"precision", s.precision}, {"recall", s.recall}, {"class_accuracy", s.class_accuracy},
                              {"nfe", r.nfe}};
    };
    nlohmann::json grid = nlohmann::json::array();
    int64_t grid_evaluations = 0;
    double best_fd = std::numeric_limits<double>::infinity();
    std::string best_name;
    for (const auto& choice : action_grid(space)) {
        FixedPolicy fixed_policy(space, levels, choice);
        nlohmann::json row = score(fixed_policy, &grid_evaluations);
        row["actions"] = describe(space, choice);
        std::fprintf(stderr, "grid %-28s FD %7.3f  precision %.3f  recall %.3f  NFE %.2f\n", row["actions"].get<std::string>().c_str(),
                     row["fd"].get<double>(), row["precision"].get<double>(), row["recall"].get<double>(), row["nfe"].get<double>());
        if (row["fd"].get<double>() < best_fd) best_fd = row["fd"].get<double>(), best_name = row["actions"].get<std::string>();
        grid.push_back(row);
    }
    const ImageDataset train = load_fashion_mnist("train");
    nlohmann::json learned = nlohmann::json::array();
    IrlOptions base;
    base.sampler = sampler;
    base.batch = 64;
    base.policy_lr = 0.1;
    base = irl_options(args, base);
    const std::vector<DivergenceSpec> divergences = parse_divergences(args.text("divergence", "jensen-shannon"));
    for (const uint64_t seed : training_seeds(args, base.seed))
    for (const DivergenceSpec& divergence : divergences) {
        IrlOptions options = base;
        options.divergence = divergence;
        options.seed = seed;
        auto policy = std::make_shared<TablePolicy>(space, levels);
        IrlTrainer trainer(*denoiser, policy, train.images, options);
        const int64_t iterations = args.integer("iterations", 40, 1, 100000);
        const double start = now_seconds();
        IrlIteration last;
        for (int64_t i = 0; i < iterations; ++i) last = trainer.iterate(&cancel);
        nlohmann::json row = score(*policy, nullptr);
        row["divergence"] = to_string(divergence.kind);
        row["pr_lambda"] = divergence.pr_lambda;
        row["seed"] = seed;
        row["training_evaluations"] = trainer.total_evaluations();
        row["training_seconds"] = now_seconds() - start;
        row["fraction_of_grid"] = double(trainer.total_evaluations()) / double(grid_evaluations);
        row["discriminator_accuracy"] = last.discriminator_accuracy;
        row["action_probabilities"] = probabilities_json(last.action_probabilities);
        std::fprintf(stderr, "learned %-24s seed %llu  FD %7.3f  precision %.3f  recall %.3f  NFE %.2f  training NFE %lld (%.1f%% of the grid)\n",
                     divergence_label(divergence).c_str(), static_cast<unsigned long long>(seed),
                     row["fd"].get<double>(), row["precision"].get<double>(), row["recall"].get<double>(), row["nfe"].get<double>(),
                     static_cast<long long>(trainer.total_evaluations()), 100.0 * row["fraction_of_grid"].get<double>());
        // Greedy scoring shows only each step's most likely choice; sampling the policy at
        // temperature 1 also shows where its probabilities moved (the precision-recall lambda
        // shifts them before it flips an argmax).
        if (args.flag("sampled")) {
            row["sampled"] = score(*policy, nullptr, 1.0);
            std::fprintf(stderr, "  sampled at temperature 1: FD %7.3f  precision %.3f  recall %.3f  NFE %.2f\n",
                         row["sampled"]["fd"].get<double>(), row["sampled"]["precision"].get<double>(),
                         row["sampled"]["recall"].get<double>(), row["sampled"]["nfe"].get<double>());
        }
        learned.push_back(row);
    }
    const nlohmann::json report = {{"solver", to_string(sampler.solver)}, {"steps", levels}, {"samples", count}, {"grid", grid},
                                   {"grid_evaluations", grid_evaluations}, {"best_fixed", best_name}, {"best_fixed_fd", best_fd},
                                   {"learned", learned}};
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
