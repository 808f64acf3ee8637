// `irlstudio-cli bench ...`: measurements too long for the test suite, whose results go into
// docs/ with the command that made them. Never timed assertions: they print what they measure.
#include "arguments.h"
#include "commands.h"
#include "progress_bar.h"

#include "irl/engine/image_evaluation.h"
#include "irl/engine/resources.h"
#include "irl/engine/scatter_plot.h"
#include "irl/engine/schedule.h"
#include "irl/engine/unet_denoiser.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
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

}  // namespace

int bench_command(const std::vector<std::string>& raw, const CancelToken& cancel) {
    if (raw.empty() || raw[0] == "--help" || raw[0] == "help") {
        std::cout << "usage: irlstudio-cli bench WHAT [OPTIONS]\n\n"
                     "  solvers  FD / precision / recall / class accuracy of euler, heun, dpmpp-2m and euler-ancestral\n"
                     "           at about 5, 9, 19 and 35 NFE on the bundled denoiser, and the real-data floor\n"
                     "           [--count 1000] [--guidance 1] [--seed 0] [--model F] [--classifier F] [--json]\n"
                     "  speed    wall time to sample --count 16 images at --nfe 19 with Heun (median of --repeats 5)\n";
        return raw.empty() ? kExitUsage : kExitOk;
    }
    const std::string what = raw[0];
    const std::vector<std::string> rest(raw.begin() + 1, raw.end());
    const Arguments args(rest, {"count", "guidance", "seed", "model", "classifier", "nfe", "repeats", "threads"}, {"json"});
    if (args.has("threads")) torch::set_num_threads(static_cast<int>(args.integer("threads", 2, 1, 256)));
    if (what == "solvers") return bench_solvers(args, cancel);
    if (what == "speed") return bench_speed(args, cancel);
    throw UsageError("unknown benchmark '" + what + "' (solvers, speed)");
}

}  // namespace irl::cli
