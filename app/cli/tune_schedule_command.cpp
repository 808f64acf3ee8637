// `irlstudio-cli tune-schedule`: the tuned-schedule baseline from the command line. Coordinate
// descent over a fine Karras grid for one solver at a fixed number of function evaluations, scored
// on a 2-D toy against fresh true samples (MMD^2) or on the bundled model against Fashion-MNIST
// *training* images (FD); prints the schedule and what the search spent.
#include "arguments.h"
#include "bench_classic.h"
#include "bench_setup.h"
#include "commands.h"

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
                     "Images are scored against Fashion-MNIST training images: never tune on the images you report on.\n";
        return kExitOk;
    }
    if (args.has("threads")) torch::set_num_threads(static_cast<int>(args.integer("threads", 2, 1, 256)));
    const Solver solver = solver_from_string(args.text("solver", "dpmpp-2m"));
    const int nfe = static_cast<int>(args.integer("nfe", 5, 1, 1000));
    const int grid = static_cast<int>(args.integer("grid", 64, 4, 4096));
    const int64_t max_evaluations = args.integer("max-evaluations", 0, 0, std::numeric_limits<long long>::max());
    const uint64_t seed = static_cast<uint64_t>(args.integer("seed", 31337, 0, 1 << 30));
    Testbed tuning;
    tuning.seeds = {seed};
    tuning.cancel = &cancel;
    std::unique_ptr<Denoiser> owned;
    FashionSetup fashion;
    torch::Tensor real;
    if (args.has("toy")) {
        auto toy = std::make_unique<GaussianMixtureDenoiser>(make_toy_mixture(args.text("toy", "ring8")), "toy:" + args.text("toy", "ring8"));
        at::Generator g = make_generator(999);
        real = toy->mixture().sample(args.integer("count", 2000, 100, 1000000), g);
        tuning.count = real.size(0);
        tuning.dtype = torch::kFloat64;
        tuning.primary = "mmd2";
        tuning.metrics = [real](const torch::Tensor& samples, const torch::Tensor&) {
            return nlohmann::json{{"mmd2", mmd_squared(samples, real, {0.05, 0.2, 1.0})}};
        };
        owned = std::move(toy);
        tuning.denoiser = owned.get();
    } else {
        fashion = load_fashion_setup(args);
        tuning.count = args.integer("count", 1000, 100, 100000);
        const ImageDataset train = load_fashion_mnist("train");
        real = classify(fashion.classifier, train.images.narrow(0, 0, std::max<int64_t>(tuning.count, 1000))).features;
        tuning.labels = torch::arange(tuning.count, torch::kInt64) % fashion.denoiser->num_classes();
        tuning.primary = "fd";
        FashionClassifier classifier = fashion.classifier;
        tuning.metrics = [classifier, real](const torch::Tensor& samples, const torch::Tensor& labels) mutable {
            const ImageScores s = score_images(classifier, samples, labels, real);
            return nlohmann::json{{"fd", s.fd}, {"precision", s.precision}, {"recall", s.recall}};
        };
        tuning.denoiser = fashion.denoiser.get();
    }
    const nlohmann::json row = tuned_schedule(tuning, tuning, solver, nfe, grid, max_evaluations);
    if (args.flag("json")) {
        std::cout << row.dump() << std::endl;
    } else {
        std::printf("%s at %d NFE: %s %.5g (from %.5g), %lld trials, %lld function evaluations\nsigmas",
                    to_string(solver), nfe, tuning.primary.c_str(), row[tuning.primary].get<double>(), row["tuning_start_score"].get<double>(),
                    static_cast<long long>(row["tuning_trials"].get<int64_t>()), static_cast<long long>(row["tuning_evaluations"].get<int64_t>()));
        for (double s : row["sigmas"]) std::printf(" %.5g", s);
        std::printf("\n");
    }
    return kExitOk;
}

}  // namespace irl::cli
