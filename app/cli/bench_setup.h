// What the benchmarks of `irlstudio-cli bench` and the trainers share: the bundled model and
// metrics classifier (or the files given), training data from folders, the IRL training flags,
// the action and divergence options, the seeds, and one line per scored row on stderr.
#pragma once

#include "arguments.h"

#include "irl/engine/core/cancel.h"
#include "irl/engine/data/image_dataset.h"
#include "irl/engine/learning/irl/f_divergence.h"
#include "irl/engine/learning/irl/training_settings.h"
#include "irl/engine/models/fashion_classifier.h"
#include "irl/engine/models/unet_denoiser.h"
#include "irl/engine/sampling/action_space.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <set>
#include <string>
#include <vector>

namespace irl {
struct GridScreening;
struct DxmiOptions;
struct ScheduleFitOptions;
}

namespace irl::cli {

double now_seconds();
std::string fixed(double value, int digits);

// The denoiser (--model, default the bundled one) and the metrics classifier (--classifier,
// default the bundled one) every Fashion-MNIST bench starts from.
struct FashionSetup {
    std::string model_path;
    std::unique_ptr<UnetDenoiser> denoiser;
    FashionClassifier classifier{nullptr};
};
FashionSetup load_fashion_setup(const Arguments& args);

// --model FILE for the commands that take any model: TorchScript with its JSON sidecar, or the
// project's own U-Net file; default the bundled model. `path` (if given) receives the file's path.
std::unique_ptr<Denoiser> model_option(const Arguments& args, std::string* path = nullptr);
// The images a trainer learns from, in `denoiser`'s shape: the pictures of --folder DIR
// (DIR/<class>/<pictures>, or DIR/<pictures> for one class) fitted by --fit crop|pad, or the
// Fashion-MNIST `split` converted likewise. What was skipped or converted is told on stderr (a
// count and the first few paths); a folder with nothing usable is refused in one sentence.
ImageDataset training_images_option(const Arguments& args, const Denoiser& denoiser, const std::string& split);
// The same in a shape given directly.
ImageDataset training_images_option(const Arguments& args, const ImageShape& shape, const std::string& split);
// What loading a folder skipped and converted, on stderr.
void tell_folder_report(const ImageFolderReport& report, const ImageShape& shape, AspectFit fit);
// The help lines of --folder and --fit.
const char* folder_options_help();

// --actions (or `fallback`) as an action space; a bad one is a UsageError naming --actions.
ActionSpace action_space_option(const Arguments& args, const std::string& fallback);
// --divergence (or `fallback`): one name or a list such as "jensen-shannon,precision-recall:0.2".
std::vector<DivergenceSpec> divergences_option(const Arguments& args, const std::string& fallback);
// A command's flags as the engine's reader of training settings sees them
// (read_policy_training_settings): --batch, --policy-lr, ... by name. The names in `read_elsewhere`
// are left to the command (the benches read --divergence as a list).
UserSettings command_settings(const Arguments& args, const std::set<std::string>& read_elsewhere = {});
// --seeds 0,1,2 trains one policy per seed (and per divergence); without it, --seed alone.
std::vector<uint64_t> training_seeds(const Arguments& args, uint64_t seed);
// --eval-seeds, or three sampling seeds no training run uses.
std::vector<uint64_t> evaluation_seeds(const Arguments& args);

// --screen-count: the classic grid is screened on that many samples of one evaluation seed (default
// a quarter of --count, at least 200), and its best three by each criterion scored on all of them.
// (In bench_irl.cpp: GridScreening comes with sampler_comparison.h, which only the benches include.)
GridScreening screening_option(const Arguments& args, int64_t count);

// DxMI's training flags, shared by train-dxmi and `bench claim --method dxmi` (in dxmi_command.cpp):
// --batch, --iterations, --noise-fraction, the rates, --tau1, --tau2, --gamma, --width, --seed.
// The levels, files and checkpoint are left to the command.
DxmiOptions dxmi_options(const Arguments& args);
// --feature-distance FILE (learn-schedule, bench claim --method schedule-fit): the fit matches its
// teacher in the features of this network of train-features, not in pixels; checked against the
// model's shape now, in one sentence naming the file.
void feature_distance_option(const Arguments& args, const Denoiser& denoiser, ScheduleFitOptions& options);
// The help lines of those flags.
const char* dxmi_options_help();

// One line on stderr per row, for watching a long bench: each of `keys` with half its spread.
void print_row(const std::string& name, const nlohmann::json& row, const std::vector<std::string>& keys);

int bench_solvers(const Arguments& args, const CancelToken& cancel);
int bench_speed(const Arguments& args, const CancelToken& cancel);
int bench_overhead(const Arguments& args, const CancelToken& cancel);
int bench_irl_toy(const Arguments& args, const CancelToken& cancel);
int bench_irl_fashion(const Arguments& args, const CancelToken& cancel);
int bench_irl_bias(const Arguments& args, const CancelToken& cancel);
int bench_soak(const Arguments& args, const CancelToken& cancel);
// The product's claim for one method through the bench driver's verdict (schedule-fit so far).
int bench_claim(const Arguments& args, const CancelToken& cancel);

}  // namespace irl::cli
