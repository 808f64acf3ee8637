// irlstudio-cli: runs the studio's engine without a window.
// Dispatches subcommands and turns SIGINT into a cancel at the next denoiser call.
#include "arguments.h"
#include "commands.h"

#include "irl/engine/core/compute.h"
#include "irl/engine/core/diagnostics.h"

#include <QCoreApplication>
#include <QGuiApplication>

#include <memory>

#include <csignal>
#include <cstring>
#include <iostream>

namespace {

irl::CancelToken g_cancel;

volatile std::sig_atomic_t g_signal = 0;

// Ctrl+C (SIGINT) and SIGTERM: cancel at the next denoiser call, so that trainers can keep what
// they learned; the exit code then says which signal it was (130, 143).
extern "C" void on_signal(int signal) {
    g_signal = signal;
    g_cancel.cancel();
}



void print_usage() {
    std::cout << "usage: irlstudio-cli COMMAND [OPTIONS]\n\n"
                 "commands:\n"
                 "  run      run a graph file (or a PNG that embeds one) headless\n"
                 "  sample   sample a 2-D Gaussian-mixture toy with the exact denoiser; writes a scatter PNG\n"
                 "  train-denoiser  train the EDM U-Net on Fashion-MNIST (resumable; exports EMA weights)\n"
                 "  make-emoji-folder  render the Noto colour emoji into an image folder (one subfolder per group)\n"
                 "  train-classifier  train the metrics classifier on Fashion-MNIST\n"
                 "  train-features  train a feature network for the metrics of a folder of pictures (any shape, colour)\n"
                 "  train-policy  learn a sampling policy by inverse RL (toy or Fashion-MNIST)\n"
                 "  tune-schedule  search the noise levels of one solver at a fixed budget (the tuned-schedule baseline)\n"
                 "  learn-schedule  fit one solver's noise levels to a many-step teacher through the solver (resumable)\n"
                 "  train-dxmi      DxMI on a 2-D toy: a few-step sampler and an energy trained jointly (resumable)\n"
                 "  export-schedule  a learned schedule's sigma list for ComfyUI's ManualSigmas (or as JSON)\n"
                 "  eval     sample the bundled denoiser and score it: FD, precision, recall, class accuracy\n"
                 "  bench    measurements for the docs: 'bench solvers', 'bench speed'\n"
                 "  paths    where node packs, models and example graphs are searched for and found\n"
                 "  add-checksum  give files from before checksums (weights, policies, checkpoints) one, in place\n"
                 "  help     this text; 'irlstudio-cli COMMAND --help' for a command's options\n\n"
                 "exit codes: 0 ok, 2 invalid arguments, 3 failure while running, 130 cancelled\n";
}

}  // namespace

int irl::cli::cancelled_exit_code() { return g_signal == SIGTERM ? kExitTerminated : kExitCancelled; }

int main(int argc, char** argv) {
    irl::keep_freed_memory_for_reuse();
    std::vector<std::string> args(argv + 1, argv + argc);
    // Plugin loading and Qt's file classes want an application object; rendering fonts wants a
    // GUI one, which runs on the offscreen platform so that no display is needed.
    std::unique_ptr<QCoreApplication> app;
    if (irl::cli::emoji_folder_wants_gui(args)) {
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
        app = std::make_unique<QGuiApplication>(argc, argv);
    } else {
        app = std::make_unique<QCoreApplication>(argc, argv);
    }
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
        print_usage();
        return args.empty() ? irl::cli::kExitUsage : irl::cli::kExitOk;
    }
    const std::string command = args[0];
    args.erase(args.begin());
    try {
        if (command == "run") return irl::cli::run_command(args, g_cancel);
        if (command == "sample") return irl::cli::sample_command(args, g_cancel);
        if (command == "train-denoiser") return irl::cli::train_denoiser_command(args, g_cancel);
        if (command == "train-classifier") return irl::cli::train_classifier_command(args, g_cancel);
        if (command == "train-features") return irl::cli::train_features_command(args, g_cancel);
        if (command == "eval") return irl::cli::eval_command(args, g_cancel);
        if (command == "train-policy") return irl::cli::train_policy_command(args, g_cancel);
        if (command == "tune-schedule") return irl::cli::tune_schedule_command(args, g_cancel);
        if (command == "learn-schedule") return irl::cli::learn_schedule_command(args, g_cancel);
        if (command == "train-dxmi") return irl::cli::train_dxmi_command(args, g_cancel);
        if (command == "export-schedule") return irl::cli::export_schedule_command(args);
        if (command == "bench") return irl::cli::bench_command(args, g_cancel);
        if (command == "make-emoji-folder") return irl::cli::emoji_folder_command(args, g_cancel);
        if (command == "paths") return irl::cli::paths_command(args);
        if (command == "add-checksum") return irl::cli::add_checksum_command(args);
        std::cerr << "irlstudio-cli: unknown command '" << command << "' (try 'irlstudio-cli help')\n";
        return irl::cli::kExitUsage;
    } catch (const irl::cli::UsageError& e) {
        std::cerr << "irlstudio-cli " << command << ": " << irl::user_message(e.what()) << "\n";
        return irl::cli::kExitUsage;
    } catch (const std::invalid_argument& e) {
        std::cerr << "irlstudio-cli " << command << ": " << irl::user_message(e.what()) << "\n";
        return irl::cli::kExitUsage;
    } catch (const irl::Cancelled&) {
        std::cerr << "irlstudio-cli " << command << ": cancelled\n";
        return irl::cli::cancelled_exit_code();
    } catch (const std::exception& e) {
        std::cerr << "irlstudio-cli " << command << ": " << irl::user_message(e.what()) << "\n";
        return irl::cli::kExitFailure;
    }
}
