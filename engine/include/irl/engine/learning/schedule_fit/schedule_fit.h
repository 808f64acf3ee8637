// Fitting a schedule to a many-step teacher through the solver (LD3-style, Tong et al., ICLR 2025):
// the teacher samples K start noises with a fine sampler; the student runs the few-step solver on
// the same noises through a DifferentiableSchedule, and Adam moves its levels (and query shifts)
// to bring the student's samples to the teacher's. Held-out pairs choose the best parameters. Run
// by the engine's one TrainingDriver: pause, stop, checkpoints and resume come with it.
#pragma once

#include "irl/engine/learning/schedule_fit/differentiable_schedule.h"
#include "irl/engine/learning/training_driver.h"
#include "irl/engine/sampling/solver.h"

#include <ATen/core/Generator.h>
#include <torch/types.h>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace torch::optim {
class Optimizer;
}

namespace irl {

class Denoiser;

struct ScheduleFitOptions {
    Solver solver = Solver::DpmSolver2M;  // the student: euler, heun or dpmpp-2m
    int64_t nfe = 5;
    bool shifts = true;                   // learn a query shift per level as well
    // false: sigma_1 stays at the warm start's and only the levels below it (and the shifts) move. A
    // pixel distance to the teacher pulls sigma_1 towards the teacher's sigma_max; a start chosen by
    // a sample score on tuning data may want it kept.
    bool learn_sigma_max = true;
    Solver teacher_solver = Solver::Heun;
    int64_t teacher_nfe = 35;             // on a Karras schedule (rho 7, sigma 0.002..80)
    int64_t pairs = 200;                  // teacher pairs the fit trains on
    int64_t validation_pairs = 50;        // held out: they choose the warm start and the best parameters
    int64_t batch = 32;                   // pairs per iteration
    double learning_rate = 0.02;          // Adam, on the raw parameters
    // Soft teacher: the student's start noise may move from the teacher's within a ball of radius
    // soft_teacher * sigma_1 * sqrt(d), found by soft_teacher_steps normalised gradient steps per
    // iteration. 0: off.
    double soft_teacher = 0.0;
    int64_t soft_teacher_steps = 2;
    // The warm start: empty = the best of the classic grid (sigma_max x rho, Karras) by the fit's own
    // loss on the validation pairs; or this list (descending, a trailing 0 allowed).
    std::vector<double> warm_start;
    uint64_t seed = 0;
    bool conditional = true;              // a conditional model's pairs ask its classes in turn
    // When set, the warm start and every validation are scored by it (lower is better: for
    // example FD of the schedule's samples on tuning data) and the best parameters are kept by that
    // score instead of the pixel distance to the teacher, which the validation still reports. It
    // gets the levels and the query levels.
    std::function<double(const std::vector<double>& sigmas, const std::vector<double>& query_sigmas)> keep_by;
    // The distance to the teacher. Unset: pixels. Set: a differentiable map of a batch of samples
    // [N, ...] to features [N, F], its weights frozen, and the distance is the mean squared
    // difference of the features, in the fit, the warm-start screen and the validation (LD3's
    // ablation found a perceptual distance better than pixel L2). It must not be the network that
    // scores the result. `distance` names it in checkpoints, files and reports.
    std::function<torch::Tensor(const torch::Tensor& samples)> distance_features;
    std::string distance = "pixels";
    torch::Dtype dtype = torch::kFloat32; // of the samples (the toys' exact denoiser: float64)
    // Iterations, checkpoint, resume; validation after every run.evaluate_every-th iteration (0: 5)
    // and after the last, inside the iteration (so a checkpoint holds its result).
    TrainingRunOptions run;
    // The schedule file (learned_schedule_file.h) of the best parameters, written at the end and,
    // marked partial in its facts, when the run is cancelled; empty: none.
    std::string schedule_file;
};

// What one iteration reports.
struct ScheduleFitProgress {
    int64_t iteration = 0;
    int64_t iterations = 0;
    double loss = 0.0;                    // the batch's mean squared distance per dimension (of pixels or features)
    bool validated = false;               // a validation ran after this iteration
    double validation = 0.0;              // its loss (when validated)
    double best_validation = 0.0;         // by the keep_by score when set
    std::vector<double> sigmas;           // the levels now (ending at 0)
    std::vector<double> query_sigmas;
    torch::Tensor samples;                // when validated: the student's samples from the first held-out noises (up to 64)
    int64_t evaluations = 0;              // function evaluations so far: teacher, warm-start screen and fit
    double seconds = 0.0;
};

struct ScheduleFitResult {
    std::vector<double> sigmas;           // the best parameters' levels (ending at 0)
    std::vector<double> query_sigmas;     // where each step queries the denoiser
    std::vector<double> warm_start;       // the levels it started from
    double warm_start_validation = 0.0;   // validation loss of the warm start (its keep_by score when set)
    double best_validation = 0.0;         // the same of the parameters kept
    bool kept_by_score = false;           // ScheduleFitOptions::keep_by was set
    std::string distance = "pixels";      // what the fit measured its distance to the teacher in
    int64_t best_iteration = 0;
    int64_t iterations = 0;
    int64_t teacher_evaluations = 0;
    int64_t screen_evaluations = 0;       // the warm start's screen on the held-out pairs
    int64_t validation_evaluations = 0;   // the held-out passes that keep the best parameters
    int64_t fit_evaluations = 0;          // forward evaluations of the fit (backward passes not counted)
    // Everything the fit cost in forward evaluations: teacher, screen, validation and fit.
    int64_t total_evaluations() const { return teacher_evaluations + screen_evaluations + validation_evaluations + fit_evaluations; }
    double seconds = 0.0;
    bool stopped = false;
    // {"sigmas", "query_sigmas", "warm_start", "best_validation", ...}: for --json, reports and files.
    std::string to_json() const;
};

struct ScheduleFitControl : TrainingSteering {
    std::function<void(const ScheduleFitProgress&)> on_iteration;
};

class ScheduleFit : public Trainer {
public:
    // Samples the teacher pairs, chooses the warm start, and resumes the checkpoint when asked.
    // Throws std::invalid_argument for bad options (naming the option), std::runtime_error when the
    // denoiser gives no gradients or a checkpoint is damaged or of another setup (naming the file).
    ScheduleFit(Denoiser& denoiser, ScheduleFitOptions options, const CancelToken* cancel = nullptr);
    ~ScheduleFit() override;

    ScheduleFitResult run(const ScheduleFitControl& control = {});

    int64_t iterations() const override { return iteration_; }
    void iterate(const CancelToken* cancel) override;
    void save_checkpoint(const std::string& path) const override;
    void load_checkpoint(const std::string& path) override;
    void save_result(bool partial, double seconds) override;

    // The validation loss (mean squared distance per dimension to the teacher on the held-out
    // pairs, in pixels or in the distance's features) of a schedule: the fit's own loss, used for
    // the warm start and for keeping the best.
    double validation_loss(const DifferentiableSchedule& schedule);
    ScheduleFitResult result() const;
    bool resumed() const { return driver_->resumed(); }
    const DifferentiableSchedule& schedule() const { return *schedule_; }
    const ScheduleFitOptions& options() const { return options_; }

private:
    std::string setup_json() const;
    torch::Tensor student(const DifferentiableSchedule& schedule, const torch::Tensor& noise, const torch::Tensor& labels);
    double validate();  // the validation loss now; keeps the parameters when they are the best so far
    // The validation loss; `first_samples`, when given, gets the student's first chunk of samples.
    double held_out_loss(const DifferentiableSchedule& schedule, torch::Tensor* first_samples);
    void step(const CancelToken* cancel);  // one Adam step on a batch (iterate() adds the validation)

    Denoiser& denoiser_;
    ScheduleFitOptions options_;
    int64_t levels_ = 0;
    torch::Tensor noise_, labels_, teacher_;            // [pairs + validation_pairs, ...]; the first `pairs` train
    torch::Tensor target_;                              // what the student is brought to: the teacher's samples, or their features
    torch::Tensor mapped(const torch::Tensor& samples) const;  // the samples as the distance sees them
    std::optional<DifferentiableSchedule> schedule_;
    std::unique_ptr<torch::optim::Optimizer> optimizer_;
    torch::Tensor best_state_;
    double best_validation_ = 0.0;
    int64_t best_iteration_ = 0;
    std::vector<double> warm_start_;
    double warm_start_validation_ = 0.0;
    int64_t iteration_ = 0;
    int64_t teacher_evaluations_ = 0, screen_evaluations_ = 0, validation_evaluations_ = 0, fit_evaluations_ = 0;
    bool validated_ = false;        // the last iteration ended with a validation
    double last_validation_ = 0.0;
    torch::Tensor last_samples_;    // that validation's first samples
    double last_loss_ = 0.0;
    at::Generator generator_;                             // which pairs each iteration takes
    std::unique_ptr<TrainingDriver> driver_;
};

}  // namespace irl
