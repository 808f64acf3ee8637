// `irlstudio-cli train-classifier` and `irlstudio-cli eval`: the metrics classifier, and scoring
// a sampler on the bundled denoiser with FD, precision/recall and class accuracy.
#include "arguments.h"
#include "commands.h"
#include "progress_bar.h"
#include "sampler_arguments.h"

#include "irl/engine/models/fashion_classifier.h"
#include "irl/engine/metrics/feature_scores.h"
#include "irl/engine/metrics/sampler_evaluation.h"
#include "irl/engine/learning/irl/irl_trainer.h"
#include "irl/engine/learning/irl/policy_file.h"
#include "irl/engine/core/resources.h"
#include "irl/engine/io/pictures.h"
#include "irl/engine/models/unet_denoiser.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>

namespace irl::cli {

torch::Tensor real_test_features(FashionClassifier& classifier, int64_t count) {
    // As many real test images as samples (at least 1000), so precision and recall compare like with like.
    const ImageDataset test = load_fashion_mnist("test");
    const int64_t real_count = std::min<int64_t>(test.size(), std::max<int64_t>(count, 1000));
    return classify(classifier, test.images.narrow(0, 0, real_count)).features;
}

int train_classifier_command(const std::vector<std::string>& raw, const CancelToken& cancel) {
    const Arguments args(raw, {"out", "epochs", "batch", "lr", "seed", "threads"}, {"json", "help"});
    if (args.flag("help")) {
        std::cout << "usage: irlstudio-cli train-classifier --out WEIGHTS [--epochs 4] [--batch 128] [--lr 1e-3] [--seed 0]\n"
                  << threads_option_help();
        return kExitOk;
    }
    const std::string out = args.text("out", "");
    if (out.empty()) throw UsageError("--out WEIGHTS is required");
    use_threads_option(args);
    ClassifierTrainingOptions options;
    options.epochs = args.integer("epochs", 4, 1, 1000);
    options.batch = args.integer("batch", 128, 8, 65536);
    options.learning_rate = args.number("lr", 1e-3);
    options.seed = static_cast<uint64_t>(args.integer("seed", 0, 0, std::numeric_limits<long long>::max()));
    const ImageDataset train = load_fashion_mnist("train"), test = load_fashion_mnist("test");
    FashionClassifier model;
    ProgressBar bar("train-classifier");
    const auto start = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    const double accuracy = train_classifier(model, train, test, options, [&](int64_t step, int64_t total, double loss) {
        char detail[48];
        std::snprintf(detail, sizeof detail, "loss %.4f", loss);
        bar.update(step, total, elapsed(), detail);
    }, &cancel);
    bar.finish();
    const nlohmann::json facts = {{"epochs", options.epochs}, {"batch", options.batch}, {"learning_rate", options.learning_rate},
                                  {"seed", options.seed}, {"test_accuracy", accuracy}, {"training_seconds", elapsed()},
                                  {"data", "fashion-mnist:train"}};
    save_classifier(model, out, facts.dump());
    if (args.flag("json")) std::cout << facts.dump() << std::endl;
    else std::cout << "test accuracy " << accuracy << ", wrote " << out << "\n";
    return kExitOk;
}

int eval_command(const std::vector<std::string>& raw, const CancelToken& cancel) {
    std::set<std::string> options = sampler_option_names();
    options.insert({"model", "classifier", "features", "seed", "count", "class", "out", "threads", "policy", "temperature"});
    const Arguments args(raw, options, {"json", "help", "unconditional"}, sampler_option_renames());
    if (args.flag("help")) {
        std::cout << "usage: irlstudio-cli eval [OPTIONS]\n\n"
                     "  --model FILE       U-Net weights (default: the bundled models/fashion-unet.pt)\n"
                     "  --classifier FILE  metrics classifier (default: the bundled models/fashion-classifier.pt)\n"
                     "  --features FILE    score with this feature network of train-features instead (e.g. the second\n"
                     "                     Fashion judge, models/fashion-features.pt); the output says which scored\n"
                  << sampler_options_help() <<
                     "  --count N          samples (default 1000), classes in turn unless --class or --unconditional\n"
                     "  --class C          ask for class C only\n"
                     "  --unconditional    sample without labels (no class accuracy)\n"
                     "  --seed N           default 0\n"
                     "  --policy FILE      sample with a learned policy (trained for the same model, solver and schedule)\n"
                     "  --temperature T    policy temperature (default 0: the most likely action)\n"
                     "  --out FILE.png     a grid of the first 100 samples\n"
                     "  --json             {fd, precision, recall, class_accuracy, nfe, samples, seconds, ...}\n"
                  << threads_option_help();
        return kExitOk;
    }
    use_threads_option(args);
    const SamplerSettings settings = sampler_settings_from(args);
    const std::string model_path = args.has("model") ? args.text("model", "") : find_resource("models/fashion-unet.pt");
    const std::string classifier_path =
        args.has("classifier") ? args.text("classifier", "") : find_resource("models/fashion-classifier.pt");
    std::unique_ptr<UnetDenoiser> denoiser = UnetDenoiser::load(model_path);
    FashionClassifier classifier = load_classifier(classifier_path);
    // --features: that network scores instead, checked before any sampling.
    const std::string judged_by = args.has("features") ? args.text("features", "") : classifier_path;
    std::optional<FeatureFile> judge;
    if (args.has("features")) judge = load_feature_network(judged_by, image_shape_of(denoiser->sample_shape()));

    SampleRequest request;
    request.count = args.integer("count", 1000, 4, 1000000);
    request.seed = static_cast<uint64_t>(args.integer("seed", 0, 0, std::numeric_limits<long long>::max()));
    request.cancel = &cancel;
    const int64_t classes = denoiser->num_classes();
    if (args.has("class")) {
        if (classes == 0) throw UsageError("--class: the model is unconditional");
        request.labels = torch::full({request.count}, static_cast<int64_t>(args.integer("class", 0, 0, classes - 1)), torch::kInt64);
    } else if (!args.flag("unconditional") && classes > 0) {
        request.labels = classes_in_turn(request.count, classes);
    }
    ProgressBar bar("eval");
    const auto start = std::chrono::steady_clock::now();
    const int64_t levels = static_cast<int64_t>(settings.sigmas.size()) - 1;
    request.on_step = [&](const StepPreview& p) {
        bar.update(std::lround(p.progress * 1000.0), 1000, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    };
    const torch::Tensor real_features = real_test_features(classifier, request.count);
    SamplerEvaluation evaluation;
    if (args.has("policy")) {
        const PolicySetup setup = PolicySetup::of(*denoiser, settings);
        const LoadedPolicy loaded = load_policy(args.text("policy", ""), &setup);
        const double temperature = args.number("temperature", 0.0);
        if (temperature < 0) throw UsageError("--temperature must be >= 0 (0 takes the most likely action)");
        evaluation.result = rollout_policy(*denoiser, *loaded.policy, settings, request, temperature, false).result;
        evaluation.scores = score_images(classifier, evaluation.result.samples, request.labels, real_features);
    } else {
        evaluation = evaluate_sampler(*denoiser, classifier, real_features, settings, request);
    }
    bar.finish();
    // Another judge on the same samples and the same real images.
    if (judge) {
        const torch::Tensor real = features_of(judge->network, load_fashion_mnist("test").images.narrow(0, 0, real_features.size(0))).features;
        evaluation.scores = score_images(judge->network, evaluation.result.samples, request.labels, real);
    }
    const SampleResult& result = evaluation.result;
    const ImageScores& scores = evaluation.scores;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    const std::string out = args.text("out", "");
    if (!out.empty()) write_image_grid_png(out, result.samples.narrow(0, 0, std::min<int64_t>(100, request.count)), 10);
    nlohmann::json report = {{"fd", scores.fd}, {"precision", scores.precision}, {"recall", scores.recall},
                             {"class_accuracy", scores.class_accuracy >= 0 ? nlohmann::json(scores.class_accuracy) : nlohmann::json()},
                             {"nfe", result.nfe}, {"samples", request.count}, {"seconds", seconds},
                             {"sampling_seconds", result.seconds}, {"solver", to_string(settings.solver)},
                             {"steps", levels}, {"guidance", settings.fixed.guidance}, {"model", model_path},
                             {"features", judged_by}};
    if (args.flag("json")) {
        std::cout << report.dump() << std::endl;
    } else {
        std::printf("FD %.3f  precision %.3f  recall %.3f  class accuracy %s  NFE %.1f  %d samples  %.1f s\n", scores.fd,
                    scores.precision, scores.recall,
                    scores.class_accuracy >= 0 ? std::to_string(scores.class_accuracy).c_str() : "-", result.nfe,
                    static_cast<int>(request.count), seconds);
        std::printf("scored with %s\n", judged_by.c_str());
    }
    return kExitOk;
}

}  // namespace irl::cli
