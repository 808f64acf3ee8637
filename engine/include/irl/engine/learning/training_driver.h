// The one outer loop of every trainer (the IRL policy trainer today; DxMI and reward fine-tuning
// plug in the same way): iterations up to a total, pause, resume and stop, evaluation and
// checkpoints every so many iterations, a checkpoint on request, on stop and on cancel, and a
// resume from a checkpoint. A trainer only gives one iteration, its state to save and load, and
// what it learned; its report goes to the front end through the driver's event.
#pragma once

#include "irl/engine/core/cancel.h"

#include <cstdint>
#include <functional>
#include <string>

namespace irl {

// What the driver needs from a trainer.
class Trainer {
public:
    virtual ~Trainer() = default;
    // Iterations done so far, those before a resume included.
    virtual int64_t iterations() const = 0;
    // One iteration: the one place where its gradients and batch statistics are formed (where
    // data-parallel training reduces them). Throws Cancelled when the token fires.
    virtual void iterate(const CancelToken* cancel) = 0;
    // Everything needed to continue exactly where it stopped, written atomically. load_checkpoint
    // refuses a file of another setup with std::runtime_error naming the file and what differs.
    virtual void save_checkpoint(const std::string& path) const = 0;
    virtual void load_checkpoint(const std::string& path) = 0;
    // What was learned, for the user: at the end, and marked partial when a run is cancelled.
    // `seconds` is the training time, pauses excluded.
    virtual void save_result(bool partial, double seconds) {
        (void)partial;
        (void)seconds;
    }
};

// How long a training runs and what it keeps; the same for every trainer.
struct TrainingRunOptions {
    int64_t iterations = 100;   // the run ends when the trainer has done this many
    // Where the checkpoint goes when the run is stopped, cancelled or asked for one; empty: never.
    std::string checkpoint;
    int64_t checkpoint_every = 0;  // also every this many iterations and at the end; 0: not
    bool resume = false;           // continue from `checkpoint` when that file exists
    int64_t evaluate_every = 0;    // TrainingStep::evaluate every this many iterations and at the last; 0: never
};

// How a front end steers a running training; every member may be left empty.
struct TrainingSteering {
    const CancelToken* cancel = nullptr;  // checked before every iteration (and by the trainer inside it)
    std::function<bool()> paused;         // training waits while this is true
    std::function<bool()> stop;           // true: end after the current iteration, keeping what was learned
    std::function<bool()> checkpoint_requested;  // true once per request for a checkpoint now
    std::function<void(const std::string& path, int64_t iteration)> checkpoint_written;  // after a requested one
};

// After every iteration.
struct TrainingStep {
    int64_t done = 0;        // iterations done, a resumed run's included
    int64_t total = 0;       // TrainingRunOptions::iterations
    bool evaluate = false;   // an evaluation is due now (TrainingRunOptions::evaluate_every)
    double seconds = 0.0;    // since the run started, pauses excluded
};

struct TrainingOutcome {
    bool stopped = false;         // ended by TrainingSteering::stop before all iterations
    double seconds = 0.0;         // pauses excluded
    double paused_seconds = 0.0;
};

class TrainingDriver {
public:
    // Checks that the checkpoint can be written (a bad name fails now, not after hours) and,
    // when asked, resumes it. Throws what Trainer::load_checkpoint throws for a file of another
    // setup, and std::runtime_error naming the file when it cannot be written.
    TrainingDriver(Trainer& trainer, TrainingRunOptions options);

    // Trains until the iterations are done or the control stops it; `after_iteration` is called
    // after each one. A stopped run writes the checkpoint, and every run the result. On
    // Cancelled it writes the checkpoint and the partial result, then rethrows.
    TrainingOutcome run(const TrainingSteering& control, const std::function<void(const TrainingStep&)>& after_iteration = {});

    bool resumed() const { return resumed_; }
    // Whether a driver with these options resumes a checkpoint (a trainer that must know before
    // the driver exists, to skip work the checkpoint replaces).
    static bool will_resume(const TrainingRunOptions& options);
    const TrainingRunOptions& options() const { return options_; }

private:
    Trainer& trainer_;
    TrainingRunOptions options_;
    bool resumed_ = false;
};

}  // namespace irl
