// Training a sampling policy by inverse RL, whoever drives it (the IRL Trainer node,
// `train-policy`, the benches): the policy built with its budget, the IRL trainer, greedy
// evaluation while training and the policy file, run by the engine's one TrainingDriver
// (pause/resume/stop, checkpoints, what was learned kept when a run is stopped or cancelled).
#pragma once

#include "irl/engine/core/cancel.h"
#include "irl/engine/learning/irl/irl_trainer.h"
#include "irl/engine/learning/irl/policy.h"
#include "irl/engine/learning/irl/policy_file.h"
#include "irl/engine/learning/training_driver.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace irl {

// Everything a policy training is asked to do, from whichever front end.
struct PolicyTrainingOptions {
    IrlOptions irl;                 // sampler (solver, schedule, budget), divergence, batch, rates, seed
    ActionSpace actions;            // what the policy chooses
    std::string policy = "table";   // a name of policy_kind_names()
    int64_t network_width = 64;
    int64_t iterations = 100;       // training ends when the trainer has done this many (a resumed run's included)
    // Where a checkpoint is written when the run is stopped, cancelled or asked for one; empty: never.
    std::string checkpoint;
    // Also every this many iterations and at the end; 0: only on stop, cancel and request.
    int64_t checkpoint_every = 0;
    bool resume = false;            // continue from `checkpoint` when that file exists
    // Greedy samples every this many iterations and at the last one (PolicyTrainingProgress::evaluation); 0: never.
    int64_t evaluate_every = 0;
    int64_t evaluation_count = 256;
    uint64_t evaluation_seed = 4242;
    // The policy file written at the end and, marked partial, on a cancel; empty: none.
    std::string policy_file;

    // Warm start: above 0, the policy begins at `start` with this probability (Policy::warm_start)
    // instead of uniform. An empty `start` is start_choice() of the sampler's fixed control, so
    // that the untrained policy samples greedily as the classic sampler on irl.sampler's schedule.
    double start_probability = 0.0;
    std::vector<int64_t> start;

    // Validation: greedy samples of validation_count from validation_seed, scored by `validation`
    // (lower is better), before the first iteration and after every validate_every-th; the
    // policy of the best score is what the run keeps (the policy file, policy() after run()).
    // The scorer must use held-out data: never the samples or seeds a result is scored on.
    std::function<double(const SampleResult&)> validation;
    int64_t validate_every = 5;
    int64_t validation_count = 512;
    uint64_t validation_seed = 9091;
};

// What validation saw so far.
struct PolicyValidation {
    bool enabled = false;
    double start = 0.0;              // the score of the start (before any iteration)
    double best = 0.0;               // the best score, and the iteration whose policy gave it (0: the start)
    int64_t best_iteration = 0;
    double last = 0.0;               // the latest score, and its iteration (-1: none yet)
    int64_t last_iteration = -1;
    int64_t evaluations = 0;         // function evaluations spent validating
    nlohmann::json to_json() const;
};

// "table", "smooth", "state", "network": the policies a user can train.
const std::vector<std::string>& policy_kind_names();
// The policy of `kind` for an action space over a schedule of `levels` nonzero levels under a
// budget (SamplerSettings::budget, -1: none). Throws std::invalid_argument naming the kinds.
std::shared_ptr<Policy> make_policy(const std::string& kind, const ActionSpace& actions, int64_t levels, const Denoiser& denoiser,
                                    int64_t budget, uint64_t seed, int64_t network_width = 64);

// IrlIteration::action_probabilities as nested arrays: [component][level][choice].
nlohmann::json action_probabilities_json(const std::vector<torch::Tensor>& probabilities);

// What one iteration reports to the front end.
struct PolicyTrainingProgress {
    IrlIteration iteration;
    int64_t iterations = 0;         // the run's total (PolicyTrainingOptions::iterations)
    int64_t training_evaluations = 0;
    double seconds = 0.0;           // since the run started, pauses excluded
    PolicyValidation validation;    // validated now when validation.last_iteration is this iteration
    // The greedy samples of an evaluation (with the path each took), or nullptr between evaluations.
    const SampleResult* evaluation = nullptr;
};

// How a front end steers a running training (TrainingSteering) and hears of it; every member may
// be left empty.
struct PolicyTrainingControl : TrainingSteering {
    std::function<void(const PolicyTrainingProgress&)> on_iteration;
};

struct PolicyTrainingOutcome {
    IrlIteration last;              // the last iteration's report (empty when none ran)
    bool stopped = false;           // ended by PolicyTrainingControl::stop before all iterations
    double seconds = 0.0;           // pauses excluded
    double paused_seconds = 0.0;
    PolicyValidation validation;
};

// The IRL trainer as the driver's Trainer.
class PolicyTraining : public Trainer {
public:
    // Builds the policy and the trainer, checks that the policy file and the checkpoint can be
    // written (a bad name fails now, not after hours) and resumes the checkpoint when asked.
    // Throws std::runtime_error naming the file when a checkpoint is damaged or of another setup.
    PolicyTraining(Denoiser& denoiser, torch::Tensor expert, PolicyTrainingOptions options);

    // Trains until the iterations are done or the control stops it; with validation, the best
    // policy seen is then loaded into policy(). On Cancelled it writes the checkpoint and the
    // policy so far (the best validated, marked partial), then rethrows.
    PolicyTrainingOutcome run(const PolicyTrainingControl& control = {});

    // Trainer: one IRL iteration (and its validation when due), the checkpoint (checked against this setup), the policy file.
    int64_t iterations() const override;
    void iterate(const CancelToken* cancel) override;
    void save_checkpoint(const std::string& path) const override;
    void load_checkpoint(const std::string& path) override;
    void save_result(bool partial, double seconds) override;

    void write_checkpoint() const { save_checkpoint(options_.checkpoint); }
    // Facts stored with the policy file: iterations, divergence, evaluations, seconds, the last
    // iteration's statistics, and whether the training was cut short.
    std::string facts_json(const IrlIteration& last, double seconds, bool partial) const;

    bool resumed() const { return driver_->resumed(); }
    IrlTrainer& trainer() { return *trainer_; }
    const std::shared_ptr<Policy>& policy() const { return policy_; }
    const PolicySetup& setup() const { return setup_; }
    const PolicyTrainingOptions& options() const { return options_; }
    const PolicyValidation& validation() const { return validation_; }
    // The trainer's rollouts and validation's samples: what the run has cost in function evaluations.
    int64_t total_evaluations() const;

private:
    void validate(const CancelToken* cancel);            // scores the policy now; keeps it when it is the best
    std::vector<torch::Tensor> parameters_now() const;  // copies
    void load_parameters(const std::vector<torch::Tensor>& values);

    PolicyTrainingOptions options_;
    std::shared_ptr<Policy> policy_;
    std::unique_ptr<IrlTrainer> trainer_;
    PolicySetup setup_;
    IrlIteration last_;
    PolicyValidation validation_;
    std::vector<torch::Tensor> best_parameters_;  // the policy of validation_.best
    std::unique_ptr<TrainingDriver> driver_;
};

}  // namespace irl
