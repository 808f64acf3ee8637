// `irlstudio-cli bench ...`: measurements too long for the test suite, whose results go into
// docs/ with the command that made them. Never timed assertions: they print what they measure.
#include "arguments.h"
#include "commands.h"
#include "progress_bar.h"

#include "irl/engine/gaussian_mixture_denoiser.h"
#include "irl/engine/image_evaluation.h"
#include "irl/engine/irl_trainer.h"
#include "irl/engine/random.h"
#include "irl/engine/sample_metrics.h"
#include "irl/engine/toy_mixtures.h"
#include "irl/engine/resources.h"
#include "irl/engine/scatter_plot.h"
#include "irl/engine/schedule.h"
#include "irl/engine/unet_denoiser.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

namespace irl::cli {
namespace {

double now_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Steps that give about `nfe` function evaluations: Heun spends 2 per step but 1 on the last.
int steps_for(Solver solver, int nfe) { return solver == Solver::Heun ? (nfe + 1) / 2 : nfe; }

std::string fixed(double value, int digits) {
    char text[32];
    std::snprintf(text, sizeof text, "%.*f", digits, value);
    return text;
}

int bench_solvers(const Arguments& args, const CancelToken& cancel) {
    const std::string model_path = args.has("model") ? args.text("model", "") : find_resource("models/fashion-unet.pt");
    const std::string classifier_path =
        args.has("classifier") ? args.text("classifier", "") : find_resource("models/fashion-classifier.pt");
    auto denoiser = UnetDenoiser::load(model_path);
    FashionClassifier classifier = load_classifier(classifier_path);
    const int64_t count = args.integer("count", 1000, 10, 10000);
    const torch::Tensor real = real_test_features(classifier, count);

    nlohmann::json rows = nlohmann::json::array();
    std::ostringstream table;
    table << "| solver | steps | NFE | FD | precision | recall | class accuracy | seconds |\n"
             "|---|---:|---:|---:|---:|---:|---:|---:|\n";
    // The floor: real train images scored like samples against the same real test images.
    {
        const ImageDataset train = load_fashion_mnist("train");
        const torch::Tensor pick = torch::randperm(train.size(), torch::TensorOptions().dtype(torch::kInt64)).narrow(0, 0, count);
        const ImageScores floor = score_images(classifier, train.images.index_select(0, pick), train.labels.index_select(0, pick), real);
        table << "| real train images (floor) | - | - | " << fixed(floor.fd, 2) << " | " << fixed(floor.precision, 3) << " | "
              << fixed(floor.recall, 3) << " | " << fixed(floor.class_accuracy, 3) << " | - |\n";
        rows.push_back({{"solver", "real"}, {"fd", floor.fd}, {"precision", floor.precision}, {"recall", floor.recall},
                        {"class_accuracy", floor.class_accuracy}});
    }
    const Solver solvers[] = {Solver::Euler, Solver::Heun, Solver::DpmSolver2M, Solver::EulerAncestral};
    for (Solver solver : solvers) {
        for (int nfe : {5, 9, 19, 35}) {
            SamplerSettings settings;
            settings.solver = solver;
            settings.sigmas = karras_schedule(steps_for(solver, nfe), 0.002, 80.0);
            settings.fixed.guidance = args.number("guidance", 1.0);
            SampleRequest request;
            request.count = count;
            request.seed = static_cast<uint64_t>(args.integer("seed", 0, 0, 1 << 30));
            request.labels = torch::arange(count, torch::kInt64) % denoiser->num_classes();
            request.cancel = &cancel;
            const SamplerEvaluation e = evaluate_sampler(*denoiser, classifier, real, settings, request);
            const int steps = static_cast<int>(settings.sigmas.size()) - 1;
            table << "| " << to_string(solver) << " | " << steps << " | " << fixed(e.result.nfe, 0) << " | "
                  << fixed(e.scores.fd, 2) << " | " << fixed(e.scores.precision, 3) << " | " << fixed(e.scores.recall, 3)
                  << " | " << fixed(e.scores.class_accuracy, 3) << " | " << fixed(e.result.seconds, 1) << " |\n";
            rows.push_back({{"solver", to_string(solver)}, {"steps", steps}, {"nfe", e.result.nfe}, {"fd", e.scores.fd},
                            {"precision", e.scores.precision}, {"recall", e.scores.recall},
                            {"class_accuracy", e.scores.class_accuracy}, {"seconds", e.result.seconds}});
            std::fprintf(stderr, "%s NFE %.0f: FD %.2f\n", to_string(solver), e.result.nfe, e.scores.fd);
        }
    }
    if (args.flag("json")) std::cout << nlohmann::json{{"rows", rows}, {"samples", count}}.dump() << std::endl;
    else std::cout << table.str();
    return kExitOk;
}

int bench_speed(const Arguments& args, const CancelToken& cancel) {
    const std::string model_path = args.has("model") ? args.text("model", "") : find_resource("models/fashion-unet.pt");
    auto denoiser = UnetDenoiser::load(model_path);
    const int64_t count = args.integer("count", 16, 1, 10000);
    const int nfe = static_cast<int>(args.integer("nfe", 19, 1, 1000));
    const int repeats = static_cast<int>(args.integer("repeats", 5, 1, 1000));
    SamplerSettings settings;
    settings.solver = Solver::Heun;
    settings.sigmas = karras_schedule(steps_for(Solver::Heun, nfe), 0.002, 80.0);
    SampleRequest request;
    request.count = count;
    request.labels = torch::arange(count, torch::kInt64) % std::max<int64_t>(1, denoiser->num_classes());
    request.cancel = &cancel;
    sample(*denoiser, settings, request);  // warm-up: first-call allocations
    std::vector<double> seconds;
    double measured_nfe = 0.0;
    for (int i = 0; i < repeats; ++i) {
        request.seed = static_cast<uint64_t>(i);
        const double start = now_seconds();
        measured_nfe = sample(*denoiser, settings, request).nfe;
        seconds.push_back(now_seconds() - start);
    }
    std::sort(seconds.begin(), seconds.end());
    const double median = seconds[seconds.size() / 2];
    const nlohmann::json report = {{"samples", count}, {"nfe", measured_nfe}, {"median_seconds", median},
                                   {"min_seconds", seconds.front()}, {"max_seconds", seconds.back()},
                                   {"threads", torch::get_num_threads()}, {"model", model_path}};
    if (args.flag("json")) std::cout << report.dump() << std::endl;
    else std::printf("%lld images at %.0f NFE (Heun): median %.3f s over %d runs (min %.3f, max %.3f)\n",
                     static_cast<long long>(count), measured_nfe, median, repeats, seconds.front(), seconds.back());
    return kExitOk;
}

// Every fixed choice of the action space, as index vectors.
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

std::string describe(const ActionSpace& space, const std::vector<int64_t>& choice) {
    std::string text;
    for (size_t i = 0; i < choice.size(); ++i)
        text += (text.empty() ? "" : " ") + std::string(to_string(space.components[i].kind)) + "=" +
                fixed(space.components[i].choices[static_cast<size_t>(choice[i])], 2);
    return text;
}

// "jensen-shannon,precision-recall:0.2,precision-recall:5" -> divergence specs.
std::vector<DivergenceSpec> parse_divergences(const std::string& text) {
    std::vector<DivergenceSpec> specs;
    std::stringstream parts(text);
    std::string part;
    while (std::getline(parts, part, ',')) {
        const auto colon = part.find(':');
        DivergenceSpec spec{divergence_from_string(part.substr(0, colon)), 1.0};
        if (colon != std::string::npos) spec.lambda = std::stod(part.substr(colon + 1));
        specs.push_back(spec);
    }
    return specs;
}

// "jensen-shannon", "precision-recall:0.20": how the benchmarks name a divergence in their tables.
std::string divergence_label(const DivergenceSpec& spec) {
    return std::string(to_string(spec.kind)) + (spec.kind == Divergence::PrecisionRecall ? ":" + fixed(spec.lambda, 2) : "");
}

// The training flags the IRL benches share, over each bench's own defaults.
IrlOptions irl_options(const Arguments& args, IrlOptions defaults) {
    defaults.batch = args.integer("batch", defaults.batch, 2, 100000);
    defaults.policy_lr = args.number("policy-lr", defaults.policy_lr);
    defaults.nfe_cost = args.number("nfe-cost", defaults.nfe_cost);
    defaults.discriminator_steps = args.integer("discriminator-steps", defaults.discriminator_steps, 1, 1000);
    defaults.seed = static_cast<uint64_t>(args.integer("seed", static_cast<int64_t>(defaults.seed), 0, 1 << 30));
    return defaults;
}

// --seeds 0,1,2 trains one policy per seed (and per divergence); without it, --seed alone.
std::vector<uint64_t> training_seeds(const Arguments& args, uint64_t seed) {
    std::vector<uint64_t> seeds;
    for (double s : args.numbers("seeds")) {
        if (s < 0 || s != std::floor(s)) throw UsageError("--seeds: whole numbers >= 0, separated by commas");
        seeds.push_back(static_cast<uint64_t>(s));
    }
    if (seeds.empty()) seeds.push_back(seed);
    return seeds;
}

int bench_irl_toy(const Arguments& args, const CancelToken& cancel) {
    // Benchmark 1 of the IRL issue: on a 2-D toy with its exact denoiser, a policy learned by IRL
    // against the best fixed choice of an exhaustive grid over the same actions, scored against
    // fresh true samples (MMD^2 with a multi-scale Gaussian kernel, and the exact log density).
    const std::string toy_name = args.text("toy", "ring8");
    GaussianMixtureDenoiser denoiser(make_toy_mixture(toy_name), "toy:" + toy_name);
    const GaussianMixture& data = denoiser.mixture();
    IrlOptions options;
    options.sampler.solver = solver_from_string(args.text("solver", "heun"));
    options.sampler.sigmas = karras_schedule(static_cast<int>(args.integer("steps", 6, 1, 1000)), 0.002, 80.0);
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
        row["lambda"] = divergence.lambda;
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
    const std::string model_path = args.has("model") ? args.text("model", "") : find_resource("models/fashion-unet.pt");
    auto denoiser = UnetDenoiser::load(model_path);
    FashionClassifier classifier = load_classifier(find_resource("models/fashion-classifier.pt"));
    const int64_t count = args.integer("count", 1000, 100, 100000);
    const torch::Tensor real = real_test_features(classifier, count);
    SamplerSettings sampler;
    sampler.solver = solver_from_string(args.text("solver", "heun"));
    sampler.sigmas = karras_schedule(static_cast<int>(args.integer("steps", 5, 1, 1000)), 0.002, 80.0);
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
        row["lambda"] = divergence.lambda;
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
    const std::string model_path = args.has("model") ? args.text("model", "") : find_resource("models/fashion-unet.pt");
    auto denoiser = UnetDenoiser::load(model_path);
    FashionClassifier classifier = load_classifier(find_resource("models/fashion-classifier.pt"));
    std::vector<int64_t> classes;
    for (double c : args.numbers("expert-classes")) classes.push_back(static_cast<int64_t>(c));
    if (classes.empty()) classes = {5, 7, 9};
    const ImageDataset expert = load_fashion_mnist("train").filtered(classes);
    IrlOptions options;
    options.sampler.solver = solver_from_string(args.text("solver", "heun"));
    options.sampler.sigmas = karras_schedule(static_cast<int>(args.integer("steps", 6, 1, 1000)), 0.002, 80.0);
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

// Forwards to a policy and adds up the wall time of its logits, so that the policy's own share
// of a rollout is measured directly and not only as a difference of two noisy wall times.
class TimedPolicy : public Policy {
public:
    explicit TimedPolicy(Policy& inner) : Policy(inner.action_space(), inner.levels()), inner_(inner) {}
    std::vector<torch::Tensor> logits(const PolicyInput& in) override {
        const double start = now_seconds();
        std::vector<torch::Tensor> out = inner_.logits(in);
        seconds += now_seconds() - start;
        return out;
    }
    std::string kind() const override { return inner_.kind(); }
    double seconds = 0.0;

private:
    Policy& inner_;
};

int bench_overhead(const Arguments& args, const CancelToken& cancel) {
    // Benchmark 3 of the IRL issue: wall time of sampling with a network policy choosing the
    // actions at every step, against the same sampler with the same actions fixed, interleaved
    // in one run so that both see the same machine load.
    const std::string model_path = args.has("model") ? args.text("model", "") : find_resource("models/fashion-unet.pt");
    auto denoiser = UnetDenoiser::load(model_path);
    SamplerSettings settings;
    settings.solver = solver_from_string(args.text("solver", "heun"));
    settings.sigmas = karras_schedule(static_cast<int>(args.integer("steps", 5, 1, 1000)), 0.002, 80.0);
    const ActionSpace space = parse_action_space(args.text("actions", "guidance=1,1.5,2;churn=0,0.1"));
    const int64_t levels = static_cast<int64_t>(settings.sigmas.size()) - 1;
    NetworkPolicy network(space, levels, denoiser->sample_shape(), denoiser->num_classes());
    // The fixed policy takes the same choices the network happens to take first (uniform start:
    // choice 0), so both runs do the same denoiser work and differ only by the policy.
    FixedPolicy fixed_policy(space, levels, std::vector<int64_t>(space.components.size(), 0));
    SampleRequest request;
    request.count = args.integer("count", 64, 1, 100000);
    request.labels = torch::arange(request.count, torch::kInt64) % std::max<int64_t>(1, denoiser->num_classes());
    request.cancel = &cancel;
    const int repeats = static_cast<int>(args.integer("repeats", 11, 1, 1000));
    std::vector<double> with_policy, with_fixed, inside_policy;
    double nfe_policy = 0.0, nfe_fixed = 0.0;
    TimedPolicy timed(network);
    rollout_policy(*denoiser, fixed_policy, settings, request, 0.0, false);  // warm-up
    rollout_policy(*denoiser, timed, settings, request, 0.0, false);
    for (int i = 0; i < repeats; ++i) {
        request.seed = static_cast<uint64_t>(i);
        // Alternate which goes first, so that neither always runs on a warmer cache.
        for (int k = 0; k < 2; ++k) {
            const bool policy_turn = (k == 0) == (i % 2 == 0);
            const double start = now_seconds();
            if (policy_turn) {
                timed.seconds = 0.0;
                nfe_policy = rollout_policy(*denoiser, timed, settings, request, 0.0, false).result.nfe;
                with_policy.push_back(now_seconds() - start);
                inside_policy.push_back(timed.seconds);
            } else {
                nfe_fixed = rollout_policy(*denoiser, fixed_policy, settings, request, 0.0, false).result.nfe;
                with_fixed.push_back(now_seconds() - start);
            }
        }
    }
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    const double policy_median = median(with_policy), fixed_median = median(with_fixed), inside = median(inside_policy);
    const nlohmann::json report = {{"ratio", policy_median / fixed_median}, {"policy_seconds", policy_median},
                                   {"fixed_seconds", fixed_median}, {"policy_inference_seconds", inside},
                                   {"inference_fraction", inside / fixed_median},
                                   {"nfe_policy", nfe_policy}, {"nfe_fixed", nfe_fixed},
                                   {"samples", request.count}, {"repeats", repeats}, {"solver", to_string(settings.solver)},
                                   {"steps", levels}, {"threads", torch::get_num_threads()}};
    if (args.flag("json")) std::cout << report.dump() << std::endl;
    else std::printf("network policy %.3f s, fixed actions %.3f s: ratio %.4f; the policy's own calls %.4f s = %.2f%% "
                     "(medians of %d, %lld samples, NFE %.0f vs %.0f)\n",
                     policy_median, fixed_median, policy_median / fixed_median, inside, 100.0 * inside / fixed_median, repeats,
                     static_cast<long long>(request.count), nfe_policy, nfe_fixed);
    return kExitOk;
}

}  // namespace

int bench_command(const std::vector<std::string>& raw, const CancelToken& cancel) {
    if (raw.empty() || raw[0] == "--help" || raw[0] == "help") {
        std::cout << "usage: irlstudio-cli bench WHAT [OPTIONS]\n\n"
                     "  solvers  FD / precision / recall / class accuracy of euler, heun, dpmpp-2m and euler-ancestral\n"
                     "           at about 5, 9, 19 and 35 NFE on the bundled denoiser, and the real-data floor\n"
                     "           [--count 1000] [--guidance 1] [--seed 0] [--model F] [--classifier F] [--json]\n"
                     "  irl-toy  a policy learned by IRL vs every fixed choice of the same actions on a 2-D toy\n"
                     "           [--toy ring8] [--solver heun] [--steps 6] [--actions \"churn=0,0.2,0.5,1\"]\n"
                     "           [--iterations 60] [--batch 128] [--count 4000] [--seed 0] [--divergence jensen-shannon or a list,\n"
                     "           one policy each: precision-recall:0.2,precision-recall:5] [--sampled: also score at temperature 1]\n"
                     "  irl-fashion  learned guidance+churn table policies (one per --divergence) vs a grid of fixed choices,\n"
                     "           bundled denoiser, Heun 5 steps (9 NFE): [--actions \"guidance=1,1.5,2,3;churn=0,0.1,0.3\"] [--count 1000]\n"
                     "           [--iterations 40] [--batch 64] [--nfe-cost 0] [--divergence jensen-shannon,precision-recall:0.2,...]\n"
                     "           [--solver heun] [--steps 5] [--discriminator-steps 2] [--sampled: also score at temperature 1] (long: docs/irl.md)\n"
                     "  irl-bias bias correction: expert data from --expert-classes (default 5,7,9: footwear), unconditional\n"
                     "           sampling, a network policy over [--actions \"renoise=0,2;churn=0,0.3\"]; class histograms before/after\n"
                     "           [--renoise-cap 4] [--nfe-cost 0] [--discriminator-steps 2] [--iterations 40] [--divergence jensen-shannon]\n"
                     "           the irl-* benches share [--batch N] [--policy-lr R] [--nfe-cost C] [--discriminator-steps N] [--seed S];\n"
                     "           irl-toy and irl-fashion also take [--seeds 0,1,2] (one policy per seed and divergence);\n"
                     "           an action KIND=V1,V2@LO:HI is chosen by the policy only at noise levels LO <= sigma <= HI\n"
                     "  overhead wall time of a network policy against the same sampler with fixed actions, side by side\n"
                     "           [--count 64] [--steps 5] [--solver heun] [--actions ...] [--repeats 11] [--json: {ratio, inference_fraction, ...}]\n"
                     "  speed    wall time to sample --count 16 images at --nfe 19 with Heun (median of --repeats 5)\n";
        return raw.empty() ? kExitUsage : kExitOk;
    }
    const std::string what = raw[0];
    const std::vector<std::string> rest(raw.begin() + 1, raw.end());
    const Arguments args(rest, {"count", "guidance", "seed", "model", "classifier", "nfe", "repeats", "threads", "toy", "solver",
                                "steps", "divergence", "batch", "policy-lr", "actions", "iterations", "expert-classes", "renoise-cap", "nfe-cost", "discriminator-steps", "seeds"},
                         {"json", "sampled"});
    if (args.has("threads")) torch::set_num_threads(static_cast<int>(args.integer("threads", 2, 1, 256)));
    if (what == "solvers") return bench_solvers(args, cancel);
    if (what == "speed") return bench_speed(args, cancel);
    if (what == "irl-toy") return bench_irl_toy(args, cancel);
    if (what == "overhead") return bench_overhead(args, cancel);
    if (what == "irl-fashion") return bench_irl_fashion(args, cancel);
    if (what == "irl-bias") return bench_irl_bias(args, cancel);
    throw UsageError("unknown benchmark '" + what + "' (solvers, speed, irl-toy, irl-fashion, irl-bias, overhead)");
}

}  // namespace irl::cli
