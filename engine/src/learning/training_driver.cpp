#include "irl/engine/learning/training_driver.h"

#include "irl/engine/io/atomic_file.h"

#include <chrono>
#include <filesystem>
#include <thread>
#include <utility>

namespace irl {
namespace {

using DriverClock = std::chrono::steady_clock;

double seconds_from(DriverClock::time_point start) {
    return std::chrono::duration<double>(DriverClock::now() - start).count();
}

}  // namespace

TrainingDriver::TrainingDriver(Trainer& trainer, TrainingRunOptions options) : trainer_(trainer), options_(std::move(options)) {
    if (options_.checkpoint.empty()) return;
    check_writable(options_.checkpoint);
    if (will_resume(options_)) {
        trainer_.load_checkpoint(options_.checkpoint);
        resumed_ = true;
    }
}

bool TrainingDriver::will_resume(const TrainingRunOptions& options) {
    return options.resume && !options.checkpoint.empty() && std::filesystem::exists(options.checkpoint);
}

TrainingOutcome TrainingDriver::run(const TrainingSteering& control, const std::function<void(const TrainingStep&)>& after_iteration) {
    TrainingOutcome outcome;
    const auto start = DriverClock::now();
    const bool has_checkpoint = !options_.checkpoint.empty();
    auto cancelled = [&] { return control.cancel && control.cancel->cancelled(); };
    auto stop_asked = [&] { return control.stop && control.stop(); };
    auto training_seconds = [&] { return seconds_from(start) - outcome.paused_seconds; };
    auto serve_checkpoint_request = [&] {
        if (!has_checkpoint || !control.checkpoint_requested || !control.checkpoint_requested()) return;
        trainer_.save_checkpoint(options_.checkpoint);
        if (control.checkpoint_written) control.checkpoint_written(options_.checkpoint, trainer_.iterations());
    };
    try {
        while (trainer_.iterations() < options_.iterations) {
            if (control.paused) {
                const auto pause_start = DriverClock::now();
                while (control.paused() && !cancelled() && !stop_asked()) {
                    serve_checkpoint_request();
                    std::this_thread::sleep_for(std::chrono::milliseconds(30));
                }
                outcome.paused_seconds += seconds_from(pause_start);
            }
            if (control.cancel) control.cancel->throw_if_cancelled();
            if (stop_asked()) {
                outcome.stopped = true;
                break;
            }
            trainer_.iterate(control.cancel);
            const int64_t done = trainer_.iterations();
            const bool last_one = done >= options_.iterations;
            auto due = [&](int64_t every) { return every > 0 && (done % every == 0 || last_one); };
            const bool evaluate = due(options_.evaluate_every);
            if (has_checkpoint && due(options_.checkpoint_every)) trainer_.save_checkpoint(options_.checkpoint);
            serve_checkpoint_request();
            outcome.seconds = training_seconds();
            if (after_iteration) after_iteration({done, options_.iterations, evaluate, outcome.seconds});
        }
    } catch (const Cancelled&) {
        // What was learned survives a cancel: a checkpoint to resume from and the result so far.
        outcome.seconds = training_seconds();
        if (has_checkpoint) trainer_.save_checkpoint(options_.checkpoint);
        trainer_.save_result(true, outcome.seconds);
        throw;
    }
    outcome.seconds = training_seconds();
    // A stopped run resumes from its checkpoint. A finished one that writes them periodically
    // wrote it at its last iteration already.
    if (has_checkpoint && outcome.stopped) trainer_.save_checkpoint(options_.checkpoint);
    trainer_.save_result(false, outcome.seconds);
    return outcome;
}

}  // namespace irl
