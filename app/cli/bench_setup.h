// What the benchmarks of `irlstudio-cli bench` share: the bundled model and metrics classifier
// (or the files given), grids of fixed actions, the IRL training flags, and small formatting.
#pragma once

#include "arguments.h"

#include "irl/engine/core/cancel.h"
#include "irl/engine/learning/irl/f_divergence.h"
#include "irl/engine/learning/irl/irl_trainer.h"
#include "irl/engine/models/fashion_classifier.h"
#include "irl/engine/models/unet_denoiser.h"
#include "irl/engine/sampling/action_space.h"

#include <memory>
#include <string>
#include <vector>

namespace irl::cli {

double now_seconds();
// Steps that give about `nfe` function evaluations: Heun spends 2 per step but 1 on the last.
int steps_for(Solver solver, int nfe);
std::string fixed(double value, int digits);

// The denoiser (--model, default the bundled one) and the metrics classifier (--classifier,
// default the bundled one) every Fashion-MNIST bench starts from.
struct FashionSetup {
    std::string model_path;
    std::unique_ptr<UnetDenoiser> denoiser;
    FashionClassifier classifier{nullptr};
};
FashionSetup load_fashion_setup(const Arguments& args);

// Every fixed choice of the action space, as index vectors.
std::vector<std::vector<int64_t>> action_grid(const ActionSpace& space);
std::string describe(const ActionSpace& space, const std::vector<int64_t>& choice);
// "jensen-shannon,precision-recall:0.2,precision-recall:5" -> divergence specs.
std::vector<DivergenceSpec> parse_divergences(const std::string& text);
// "jensen-shannon", "precision-recall:0.20": how the benchmarks name a divergence in their tables.
std::string divergence_label(const DivergenceSpec& spec);
// The training flags the IRL benches share, over each bench's own defaults.
IrlOptions irl_options(const Arguments& args, IrlOptions defaults);
// --seeds 0,1,2 trains one policy per seed (and per divergence); without it, --seed alone.
std::vector<uint64_t> training_seeds(const Arguments& args, uint64_t seed);

int bench_solvers(const Arguments& args, const CancelToken& cancel);
int bench_speed(const Arguments& args, const CancelToken& cancel);
int bench_overhead(const Arguments& args, const CancelToken& cancel);
int bench_irl_toy(const Arguments& args, const CancelToken& cancel);
int bench_irl_fashion(const Arguments& args, const CancelToken& cancel);
int bench_irl_bias(const Arguments& args, const CancelToken& cancel);
int bench_soak(const Arguments& args, const CancelToken& cancel);

}  // namespace irl::cli
