#include "irl/engine/learning/schedule_fit/schedule_fit.h"

#include "core/tensor_options.h"
#include "irl/engine/core/random.h"
#include "irl/engine/core/setup_differences.h"
#include "irl/engine/io/archive.h"
#include "irl/engine/io/atomic_file.h"
#include "irl/engine/models/denoiser.h"
#include "irl/engine/sampling/learned_schedule_file.h"
#include "irl/engine/sampling/sampler.h"
#include "irl/engine/sampling/schedule.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace irl {
namespace {

const FileKind kCheckpointFile{"irlstudio-schedule-fit-checkpoint", 1, "schedule fit checkpoint"};
// Pairs per call when the whole validation set is run: bounds memory on images.
constexpr int64_t kValidationChunk = 64;

void check(bool ok, const std::string& message) {
    if (!ok) throw std::invalid_argument(message);
}

// What Adam moves: every parameter, or all but the span (which alone sets sigma_1) when sigma_max
// stays at the warm start's.
std::vector<torch::Tensor> moved_parameters(const DifferentiableSchedule& schedule, bool learn_sigma_max) {
    std::vector<torch::Tensor> parameters = schedule.parameters();
    if (!learn_sigma_max) parameters.erase(parameters.begin());
    return parameters;
}

}  // namespace

ScheduleFit::ScheduleFit(Denoiser& denoiser, ScheduleFitOptions options, const CancelToken* cancel)
    : denoiser_(denoiser), options_(std::move(options)), generator_(make_generator(options_.seed + 17)) {
    ScheduleFitOptions& o = options_;
    levels_ = schedule_fit_levels(o.solver, o.nfe);
    const int64_t teacher_levels = schedule_fit_levels(o.teacher_solver, o.teacher_nfe);
    check(o.pairs >= 1, "the schedule fit needs at least one training pair (pairs)");
    check(o.validation_pairs >= 1, "the schedule fit needs at least one validation pair (validation pairs)");
    check(o.batch >= 1 && o.batch <= o.pairs, "the batch of a schedule fit is 1 to the number of pairs (" + std::to_string(o.pairs) + ")");
    check(o.learning_rate > 0.0 && std::isfinite(o.learning_rate), "the learning rate of a schedule fit is a positive number");
    check(o.soft_teacher >= 0.0 && o.soft_teacher <= 1.0, "the soft teacher's radius is between 0 and 1");
    check(o.soft_teacher_steps >= 1, "the soft teacher takes at least one step");
    if (!denoiser_.gives_gradients())
        throw std::runtime_error("the denoiser '" + denoiser_.identity() + "' gives no gradients, so no schedule can be fitted through it");
    if (o.run.evaluate_every <= 0) o.run.evaluate_every = 5;
    // Everything the options can get wrong is said now, before the teacher samples (minutes on images).
    if (o.distance_features)
        check(!o.distance.empty() && o.distance != "pixels", "a schedule fit with a feature distance names it (distance)");
    if (!o.warm_start.empty()) {
        warm_start_ = o.warm_start;
        if (warm_start_.back() != 0.0) warm_start_.push_back(0.0);
        check(static_cast<int64_t>(warm_start_.size()) == levels_ + 1,
              "the warm start has " + std::to_string(warm_start_.size() - 1) + " levels; " + to_string(o.solver) + " at " +
                  std::to_string(o.nfe) + " NFE takes " + std::to_string(levels_));
        DifferentiableSchedule::from_sigmas(warm_start_, o.shifts);  // throws for a list that is not a schedule
    }
    const bool resuming = TrainingDriver::will_resume(o.run);
    if (resuming) {
        // The warm start fixes the levels' floor, so it comes from the checkpoint; the rest is
        // loaded, and checked against this setup, by the driver.
        ArchiveReader archive(o.run.checkpoint, kCheckpointFile);
        const torch::Tensor warm = archive.tensor("warm_start");
        if (warm.dim() != 1 || warm.size(0) != levels_ + 1) archive.fail("has a warm start of another length (another NFE or solver)");
        warm_start_ = to_double_list(warm);
    }
    if (!o.schedule_file.empty()) check_writable(o.schedule_file);  // a bad name fails now, not after the fit

    // The teacher: the same start noises, a fine deterministic sampler from sigma 80.
    const int64_t total = o.pairs + o.validation_pairs;
    std::vector<int64_t> shape{total};
    for (int64_t d : denoiser_.sample_shape()) shape.push_back(d);
    at::Generator noise_generator = make_generator(o.seed);
    noise_ = standard_normal(shape, noise_generator, o.dtype);
    labels_ = o.conditional && denoiser_.num_classes() > 0 ? classes_in_turn(total, denoiser_.num_classes())
                                                           : torch::full({total}, kUnconditional, torch::kInt64);
    SamplerSettings teacher;
    teacher.solver = o.teacher_solver;
    teacher.sigmas = karras_schedule(static_cast<int>(teacher_levels));
    SampleRequest request;
    request.count = total;
    request.labels = labels_;
    request.dtype = o.dtype;
    request.initial = noise_ * teacher.sigmas.front();
    request.cancel = cancel;
    const SampleResult taught = sample(denoiser_, teacher, request);
    teacher_ = taught.samples;
    teacher_evaluations_ = taught.evaluations.sum().item<int64_t>();
    if (o.distance_features) {
        torch::NoGradGuard no_grad;
        std::vector<torch::Tensor> chunks;
        for (int64_t start = 0; start < total; start += kValidationChunk)
            chunks.push_back(mapped(teacher_.narrow(0, start, std::min(kValidationChunk, total - start))).detach());
        target_ = torch::cat(chunks);
        check(target_.dim() == 2 && target_.size(0) == total, "the distance's features are one row per sample");
    } else {
        o.distance = "pixels";
        target_ = teacher_;
    }

    // The warm start: the given list (or the checkpoint's), or the best of the classic grid by the
    // validation loss. Every validation pass is counted: the screen's as the screen's, the rest as
    // validation.
    if (!warm_start_.empty()) {
        schedule_ = DifferentiableSchedule::from_sigmas(warm_start_, o.shifts);
        if (!resuming) warm_start_validation_ = validation_loss(*schedule_);
    } else {
        double best = std::numeric_limits<double>::infinity();
        for (const double sigma_max : ClassicGrid::sigma_max) {
            for (const double rho : ClassicGrid::rho) {
                if (cancel) cancel->throw_if_cancelled();
                const std::vector<double> sigmas = karras_schedule(static_cast<int>(levels_), ScheduleDefaults::sigma_min, sigma_max, rho);
                const double loss = validation_loss(DifferentiableSchedule::from_sigmas(sigmas, o.shifts));
                if (loss < best) {
                    best = loss;
                    warm_start_ = sigmas;
                }
            }
        }
        screen_evaluations_ = validation_evaluations_;
        validation_evaluations_ = 0;
        schedule_ = DifferentiableSchedule::from_sigmas(warm_start_, o.shifts);
        warm_start_validation_ = best;
    }
    if (o.keep_by && !resuming) warm_start_validation_ = o.keep_by(schedule_->sigma_list(), schedule_->query_list());
    optimizer_ = std::make_unique<torch::optim::Adam>(moved_parameters(*schedule_, o.learn_sigma_max), torch::optim::AdamOptions(o.learning_rate));
    best_state_ = schedule_->state();
    best_validation_ = warm_start_validation_;
    driver_ = std::make_unique<TrainingDriver>(*this, o.run);
}

ScheduleFit::~ScheduleFit() = default;

torch::Tensor ScheduleFit::student(const DifferentiableSchedule& schedule, const torch::Tensor& noise, const torch::Tensor& labels) {
    const torch::Tensor sigmas = schedule.sigmas();
    const torch::Tensor start = noise * sigmas[0].to(noise.scalar_type());
    return solve_with_gradients(denoiser_, options_.solver, sigmas, schedule.query_sigmas(), start, labels);
}

torch::Tensor ScheduleFit::mapped(const torch::Tensor& samples) const {
    return options_.distance_features ? options_.distance_features(samples) : samples;
}

double ScheduleFit::validation_loss(const DifferentiableSchedule& schedule) { return held_out_loss(schedule, nullptr); }

double ScheduleFit::held_out_loss(const DifferentiableSchedule& schedule, torch::Tensor* first_samples) {
    torch::NoGradGuard no_grad;
    double sum = 0.0;
    for (int64_t start = options_.pairs; start < noise_.size(0); start += kValidationChunk) {
        const int64_t length = std::min(kValidationChunk, noise_.size(0) - start);
        const torch::Tensor got = student(schedule, noise_.narrow(0, start, length), labels_.narrow(0, start, length));
        if (first_samples && start == options_.pairs) *first_samples = got.detach();
        sum += (mapped(got) - target_.narrow(0, start, length)).square().to(torch::kFloat64).sum().item<double>();
    }
    validation_evaluations_ += options_.validation_pairs * options_.nfe;
    return sum / static_cast<double>(options_.validation_pairs * (target_.numel() / target_.size(0)));
}

void ScheduleFit::iterate(const CancelToken* cancel) {
    if (cancel) cancel->throw_if_cancelled();
    // A cancel inside the iteration leaves the batch generator where it was, so that a resumed fit
    // draws the batches an uninterrupted one would.
    const torch::Tensor generator_before = generator_.get_state();
    try {
        step(cancel);
    } catch (const Cancelled&) {
        generator_.set_state(generator_before);
        throw;
    }
    // Validation belongs to the iteration, before the driver checkpoints it: a resumed fit keeps the
    // best parameters an uninterrupted one would.
    validated_ = iteration_ % options_.run.evaluate_every == 0 || iteration_ == options_.run.iterations;
    if (validated_) last_validation_ = validate();
}

void ScheduleFit::step(const CancelToken* cancel) {
    const ScheduleFitOptions& o = options_;
    const torch::Tensor chosen = torch::randperm(o.pairs, generator_, torch::kInt64).narrow(0, 0, o.batch);
    torch::Tensor noise = noise_.index_select(0, chosen);
    const torch::Tensor labels = labels_.index_select(0, chosen);
    const torch::Tensor target = target_.index_select(0, chosen);
    if (o.soft_teacher > 0.0) {
        // Move each start noise towards where the student meets its teacher, within the ball.
        const double radius = o.soft_teacher * std::sqrt(static_cast<double>(noise.numel() / noise.size(0)));
        torch::Tensor delta = torch::zeros_like(noise);
        for (int64_t step = 0; step < o.soft_teacher_steps; ++step) {
            if (cancel) cancel->throw_if_cancelled();
            delta.requires_grad_(true);
            const torch::Tensor loss = (mapped(student(*schedule_, noise + delta, labels)) - target).square().mean();
            const torch::Tensor g = torch::autograd::grad({loss}, {delta})[0].detach();
            fit_evaluations_ += o.batch * o.nfe;
            torch::NoGradGuard no_grad;
            auto norms = [](const torch::Tensor& t) { return per_sample(t.flatten(1).norm(2, 1).clamp_min(1e-12), t); };
            delta = delta.detach() - (radius / static_cast<double>(o.soft_teacher_steps)) * g / norms(g);
            delta = delta * (radius / norms(delta)).clamp_max(1.0);
        }
        noise = noise + delta.detach();
    }
    optimizer_->zero_grad();
    const torch::Tensor loss = (mapped(student(*schedule_, noise, labels)) - target).square().mean();
    loss.backward();
    fit_evaluations_ += o.batch * o.nfe;
    last_loss_ = loss.item<double>();
    // Checked before the step: the parameters stay the last finite ones.
    bool finite = std::isfinite(last_loss_);
    for (const torch::Tensor& p : moved_parameters(*schedule_, o.learn_sigma_max))
        finite = finite && p.grad().defined() && torch::isfinite(p.grad()).all().item<bool>();
    if (!finite)
        throw std::runtime_error("the schedule fit's loss or its gradient became infinite or NaN at iteration " +
                                 std::to_string(iteration_ + 1) + " (loss " + std::to_string(last_loss_) + "); lower the learning rate");
    optimizer_->step();
    ++iteration_;
}

double ScheduleFit::validate() {
    const double loss = held_out_loss(*schedule_, &last_samples_);
    const double kept_by = options_.keep_by ? options_.keep_by(schedule_->sigma_list(), schedule_->query_list()) : loss;
    if (kept_by < best_validation_) {
        best_validation_ = kept_by;
        best_state_ = schedule_->state();
        best_iteration_ = iteration_;
    }
    return loss;
}

ScheduleFitResult ScheduleFit::run(const ScheduleFitControl& control) {
    const TrainingOutcome outcome = driver_->run(control, [&](const TrainingStep& step) {
        if (!control.on_iteration) return;
        ScheduleFitProgress progress;
        progress.iteration = step.done;
        progress.iterations = step.total;
        progress.loss = last_loss_;
        progress.validated = validated_;
        progress.validation = last_validation_;
        progress.best_validation = best_validation_;
        progress.sigmas = schedule_->sigma_list();
        progress.query_sigmas = schedule_->query_list();
        if (validated_) progress.samples = last_samples_;
        progress.evaluations = teacher_evaluations_ + screen_evaluations_ + validation_evaluations_ + fit_evaluations_;
        progress.seconds = step.seconds;
        control.on_iteration(progress);
    });
    ScheduleFitResult result = this->result();
    result.seconds = outcome.seconds;
    result.stopped = outcome.stopped;
    return result;
}

ScheduleFitResult ScheduleFit::result() const {
    DifferentiableSchedule best = *schedule_;
    best.load_state(best_state_);
    ScheduleFitResult r;
    r.sigmas = best.sigma_list();
    r.query_sigmas = best.query_list();
    r.warm_start = warm_start_;
    r.warm_start_validation = warm_start_validation_;
    r.best_validation = best_validation_;
    r.best_iteration = best_iteration_;
    r.kept_by_score = static_cast<bool>(options_.keep_by);
    r.distance = options_.distance;
    r.iterations = iteration_;
    r.teacher_evaluations = teacher_evaluations_;
    r.screen_evaluations = screen_evaluations_;
    r.validation_evaluations = validation_evaluations_;
    r.fit_evaluations = fit_evaluations_;
    return r;
}

std::string ScheduleFitResult::to_json() const {
    return nlohmann::json{{"sigmas", sigmas},
                          {"query_sigmas", query_sigmas},
                          {"warm_start", warm_start},
                          {"warm_start_validation", warm_start_validation},
                          {"best_validation", best_validation},
                          {"best_iteration", best_iteration},
                          {"kept_by", kept_by_score ? "score" : "distance to the teacher"},
                          {"distance", distance},
                          {"iterations", iterations},
                          {"teacher_evaluations", teacher_evaluations},
                          {"screen_evaluations", screen_evaluations},
                          {"validation_evaluations", validation_evaluations},
                          {"fit_evaluations", fit_evaluations},
                          {"evaluations", total_evaluations()},
                          {"seconds", seconds},
                          {"stopped", stopped}}
        .dump();
}

void ScheduleFit::save_result(bool partial, double seconds) {
    if (options_.schedule_file.empty()) return;
    ScheduleFitResult r = result();
    r.seconds = seconds;
    nlohmann::json facts = nlohmann::json::parse(r.to_json());
    facts["teacher"] = std::string(to_string(options_.teacher_solver)) + " at " + std::to_string(options_.teacher_nfe) + " NFE";
    facts["pairs"] = options_.pairs;
    facts["validation_pairs"] = options_.validation_pairs;
    facts["soft_teacher"] = options_.soft_teacher;
    facts["sigma_max"] = options_.learn_sigma_max ? "learned" : "the warm start's";
    facts["partial"] = partial;
    LearnedSchedule file;
    file.solver = options_.solver;
    file.nfe = options_.nfe;
    file.sigmas = r.sigmas;
    file.query_sigmas = r.query_sigmas;
    file.model = denoiser_.identity();
    file.model_checksum = denoiser_.weights_checksum();
    file.facts_json = facts.dump();
    save_learned_schedule(file, options_.schedule_file);
}

std::string ScheduleFit::setup_json() const {
    const ScheduleFitOptions& o = options_;
    nlohmann::json setup{{"denoiser", denoiser_.identity()},
                          {"weights", denoiser_.weights_checksum()},
                          {"solver", to_string(o.solver)},
                          {"nfe", o.nfe},
                          {"shifts", o.shifts},
                          {"teacher", std::string(to_string(o.teacher_solver)) + " " + std::to_string(o.teacher_nfe) + " NFE"},
                          {"pairs", o.pairs},
                          {"validation_pairs", o.validation_pairs},
                          {"batch", o.batch},
                          {"learning_rate", o.learning_rate},
                          {"soft_teacher", o.soft_teacher},
                          {"soft_teacher_steps", o.soft_teacher_steps},
                          {"warm_start", o.warm_start},
                          {"seed", o.seed},
                          {"conditional", o.conditional}};
    // Only when set, so that checkpoints written before the option existed still resume.
    if (!o.learn_sigma_max) setup["sigma_max"] = "the warm start's";
    if (o.keep_by) setup["kept_by"] = "score";
    if (o.distance != "pixels") setup["distance"] = o.distance;
    return setup.dump();
}

void ScheduleFit::save_checkpoint(const std::string& path) const {
    ArchiveWriter archive(kCheckpointFile);
    archive.text("setup", setup_json());
    archive.integer("iteration", iteration_);
    archive.tensor("state", schedule_->state());
    archive.tensor("best_state", best_state_);
    archive.number("best_validation", best_validation_);
    archive.integer("best_iteration", best_iteration_);
    archive.tensor("warm_start", torch::tensor(warm_start_, torch::kFloat64));
    archive.number("warm_start_validation", warm_start_validation_);
    archive.integer("screen_evaluations", screen_evaluations_);
    archive.integer("fit_evaluations", fit_evaluations_);
    archive.integer("validation_evaluations", validation_evaluations_);
    archive.tensor("generator", generator_.get_state());
    archive.optimizer("optimizer", *optimizer_);
    archive.save(path);
}

void ScheduleFit::load_checkpoint(const std::string& path) {
    ArchiveReader archive(path, kCheckpointFile);
    const std::string differences = setup_differences(archive.text("setup"), setup_json(), "the checkpoint");
    if (!differences.empty()) archive.fail("was written for another schedule fit:\n" + differences);
    const int64_t iteration = archive.integer("iteration");
    const int64_t best_iteration = archive.integer("best_iteration");
    if (iteration < 0 || best_iteration < 0 || best_iteration > iteration) archive.fail("has damaged counters");
    const torch::Tensor warm = archive.tensor("warm_start");
    if (warm.dim() != 1 || warm.size(0) != levels_ + 1) archive.fail("has a warm start of another length");
    try {
        schedule_->load_state(archive.tensor("state"));
        DifferentiableSchedule probe = *schedule_;
        probe.load_state(archive.tensor("best_state"));
        generator_.set_state(archive.tensor("generator"));
    } catch (const std::exception& e) {
        const auto* c10_error = dynamic_cast<const c10::Error*>(&e);
        const std::string what = c10_error ? c10_error->what_without_backtrace() : e.what();
        archive.fail("has damaged parameters (" + what.substr(0, std::min<size_t>(what.find('\n'), 200)) + ")");
    }
    archive.load_optimizer("optimizer", *optimizer_);
    iteration_ = iteration;
    best_iteration_ = best_iteration;
    best_state_ = archive.tensor("best_state").to(torch::kFloat64);
    best_validation_ = archive.number("best_validation");
    warm_start_ = to_double_list(warm);
    warm_start_validation_ = archive.number("warm_start_validation");
    screen_evaluations_ = archive.integer("screen_evaluations");
    fit_evaluations_ = archive.integer("fit_evaluations");
    validation_evaluations_ = archive.integer("validation_evaluations");
}

}  // namespace irl
