// The subcommands of irlstudio-cli; each returns the process exit code.
// Exit codes: 0 ok, 2 invalid arguments, 3 failure while running, 130 cancelled (143 by SIGTERM).
#pragma once

#include "irl/engine/core/cancel.h"
#include "irl/engine/models/fashion_classifier.h"

#include <nlohmann/json.hpp>
#include <torch/types.h>

#include <string>
#include <vector>

namespace irl::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitFailure = 3;
inline constexpr int kExitCancelled = 130;   // Ctrl+C (SIGINT)
inline constexpr int kExitTerminated = 143;  // SIGTERM
// 130 or 143, after the signal that cancelled the command.
int cancelled_exit_code();

int sample_command(const std::vector<std::string>& args, const CancelToken& cancel);
void print_sample_help();
int train_denoiser_command(const std::vector<std::string>& args, const CancelToken& cancel);
int train_classifier_command(const std::vector<std::string>& args, const CancelToken& cancel);
// A feature network for the metrics of any images, trained as a classifier of a folder's classes.
int train_features_command(const std::vector<std::string>& args, const CancelToken& cancel);
int eval_command(const std::vector<std::string>& args, const CancelToken& cancel);
int train_policy_command(const std::vector<std::string>& args, const CancelToken& cancel);
int run_command(const std::vector<std::string>& args, const CancelToken& cancel);
// The tuned-schedule baseline: coordinate descent over a fine grid for one solver and budget.
int tune_schedule_command(const std::vector<std::string>& args, const CancelToken& cancel);
// Fits a solver's noise levels to a many-step teacher through the solver (LD3-style).
int learn_schedule_command(const std::vector<std::string>& args, const CancelToken& cancel);
int train_dxmi_command(const std::vector<std::string>& args, const CancelToken& cancel);
// A schedule file's levels as a comma-separated list (ComfyUI's ManualSigmas) or JSON.
int export_schedule_command(const std::vector<std::string>& args);
int bench_command(const std::vector<std::string>& args, const CancelToken& cancel);
// Where node packs and bundled files are searched for and found (proves an install is self-contained).
// Renders the colour emoji into an image folder; the only command that needs a QGuiApplication.
bool emoji_folder_wants_gui(const std::vector<std::string>& args);
int emoji_folder_command(const std::vector<std::string>& args, const CancelToken& cancel);
int paths_command(const std::vector<std::string>& args);
// Gives files written before files carried a checksum the header line with one, in place.
int add_checksum_command(const std::vector<std::string>& args);
// Classifier features of the first max(count, 1000) real Fashion-MNIST test images.
torch::Tensor real_test_features(FashionClassifier& classifier, int64_t count);

}  // namespace irl::cli
