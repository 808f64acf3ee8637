// `irlstudio-cli tune-schedule`: the tuned-schedule baseline from the command line. Coordinate
// descent over a fine Karras grid for one solver at a fixed number of function evaluations, scored
// on a 2-D toy against fresh true samples (MMD^2) or on the bundled model against Fashion-MNIST
// *training* images (FD); prints the schedule and what the search spent.
#include "arguments.h"
#include "bench_setup.h"
#include "commands.h"

#include "irl/engine/core/random.h"
#include "irl/engine/data/image_dataset.h"
#include "irl/engine/data/toy_mixtures.h"
#include "irl/engine/metrics/image_evaluation.h"
#include "irl/engine/learning/irl/sampler_comparison.h"
#include "irl/engine/models/gaussian_mixture_denoiser.h"
#include "irl/engine/sampling/schedule.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdio>
#include <iostream>
#include <limits>
#include <memory>

namespace irl::cli {

int tune_schedule_command(const std::vector<std::string>& raw, const CancelToken& cancel) {
    const Arguments args(raw, {"toy", "model", "classifier", "solver", "nfe", "grid", "count", "max-evaluations", "seed", "threads"},
                         {"help", "json"});
    if (args.flag("help")) {
        std::cout << "usage: irlstudio-cli tune-schedule [--toy NAME | --model FILE] [OPTIONS]\n\n"
                     "  --solver NAME          default dpmpp-2m\n"
                     "  --nfe N                function evaluations per sample (default 5)\n"
                     "  --grid G               levels of the fine Karras grid the schedule is chosen from (default 64)\n"
                     "  --count N              samples per trial (default 1000 for images, 2000 for toys)\n"
                     "  --max-evaluations E    stop once the search has spent E function evaluations (default: no limit)\n"
                     "  --seed S               the trials' sampling seed (default 31337)\n"
                  << threads_option_help()
                  << "Images are scored against Fashion-MNIST training images: never tune on the images you report on.\n";
        return kExitOk;
    }
    use_threads_option(args);
    const Solver solver = solver_from_string(args.text("solver", "dpmpp-2m"));
    const int nfe = static_cast<int>(args.integer("nfe", 5, 1, 1000));
    const int grid = static_cast<int>(args.integer("grid", 64, 4, 4096));
    const int64_t max_evaluations = args.integer("max-evaluations", 0, 0, std::numeric_limits<long long>::max());
    const uint64_t seed = static_cast<uint64_t>(args.integer("seed", 31337, 0, 1 << 30));
    // The toy's tuning data and seed are the IRL toy bench's: other samples than it reports on.
    std::unique_ptr<GaussianMixtureDenoiser> toy;
    FashionSetup fashion;
    Testbed tuning;
    if (args.has("toy")) {
        const std::string name = args.text("toy", "ring8");
        toy = std::make_unique<GaussianMixtureDenoiser>(make_toy_mixture(name), "toy:" + name);
        at::Generator g = make_generator(999);
        const torch::Tensor truth = toy->mixture().sample(args.integer("count", 2000, 100, 1000000), g);
        tuning = toy_testbed(*toy, toy->mixture(), truth, {seed}, &cancel);
    } else {
        fashion = load_fashion_setup(args);
        const int64_t count = args.integer("count", 1000, 100, 100000);
        const ImageDataset train = load_fashion_mnist("train");
        const torch::Tensor real = classify(fashion.classifier, train.images.narrow(0, 0, std::max<int64_t>(count, 1000))).features;
        tuning = image_testbed(*fashion.denoiser, fashion.classifier, real, count, {seed}, &cancel);
    }
    const nlohmann::json row = tuned_schedule(tuning, tuning, solver, nfe, grid, max_evaluations);
    const std::string primary = tuning.primary();
    if (args.flag("json")) {
        std::cout << row.dump() << std::endl;
    } else {
        std::printf("%s at %d NFE: %s %.5g (from %.5g), %lld trials, %lld function evaluations\nsigmas",
                    to_string(solver), nfe, primary.c_str(), row[primary].get<double>(), row["tuning_start_score"].get<double>(),
                    static_cast<long long>(row["tuning_trials"].get<int64_t>()), static_cast<long long>(row["tuning_evaluations"].get<int64_t>()));
        for (double s : row["sigmas"]) std::printf(" %.5g", s);
        std::printf("\n");
    }
    return kExitOk;
}

}  // namespace irl::cli
