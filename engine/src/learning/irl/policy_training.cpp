#include "irl/engine/learning/irl/policy_training.h"

#include "irl/engine/io/archive.h"
#include "irl/engine/io/atomic_file.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace irl {

const std::vector<std::string>& policy_kind_names() {
    static const std::vector<std::string> names{"table", "smooth", "state", "network"};
    return names;
}

std::shared_ptr<Policy> make_policy(const std::string& kind, const ActionSpace& actions, int64_t levels, const Denoiser& denoiser,
                                    int64_t budget, uint64_t seed, int64_t network_width) {
    if (kind == "table") return std::make_shared<TablePolicy>(actions, levels, budget);
    if (kind == "smooth") return std::make_shared<SmoothPolicy>(actions, levels, seed, budget);
    if (kind == "state") return std::make_shared<SmoothPolicy>(actions, levels, seed, budget, denoiser.sample_shape());
    if (kind == "network")
        return std::make_shared<NetworkPolicy>(actions, levels, denoiser.sample_shape(), denoiser.num_classes(), network_width, seed, budget);
    throw std::invalid_argument("the policy must be table, smooth, state or network, not \"" + kind + "\"");
}

nlohmann::json action_probabilities_json(const std::vector<torch::Tensor>& probabilities) {
    nlohmann::json components = nlohmann::json::array();
    for (const torch::Tensor& table : probabilities) {
        const torch::Tensor p = table.to(torch::kFloat64).contiguous();
        nlohmann::json rows = nlohmann::json::array();
        for (int64_t l = 0; l < p.size(0); ++l) rows.push_back(std::vector<double>(p[l].data_ptr<double>(), p[l].data_ptr<double>() + p.size(1)));
        components.push_back(rows);
    }
    return components;
}

nlohmann::json PolicyValidation::to_json() const {
    if (!enabled) return nullptr;
    const auto score = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); };
    return {{"start", score(start)}, {"best", score(best)}, {"best_iteration", best_iteration}, {"last", score(last)},
            {"last_iteration", last_iteration}, {"evaluations", evaluations}};
}

PolicyTraining::PolicyTraining(Denoiser& denoiser, torch::Tensor expert, PolicyTrainingOptions options) : options_(std::move(options)) {
    const int64_t levels = static_cast<int64_t>(options_.irl.sampler.sigmas.size()) - 1;
    policy_ = make_policy(options_.policy, options_.actions, levels, denoiser, options_.irl.sampler.budget, options_.irl.seed,
                          options_.network_width);
    if (options_.start_probability > 0.0)
        policy_->warm_start(options_.start.empty() ? start_choice(options_.actions, options_.irl.sampler.fixed) : options_.start,
                            options_.start_probability);
    validation_.enabled = static_cast<bool>(options_.validation);
    if (validation_.enabled && (options_.validate_every < 1 || options_.validation_count < 1))
        throw std::invalid_argument("validation needs at least one sample, every at least one iteration");
    options_.irl.entropy_decay_iterations = options_.iterations;  // a decaying bonus reaches its end at the last iteration
    trainer_ = std::make_unique<IrlTrainer>(denoiser, policy_, std::move(expert), options_.irl);
    setup_ = PolicySetup::of(denoiser, options_.irl.sampler);
    if (!options_.policy_file.empty()) check_writable(options_.policy_file);
    driver_ = std::make_unique<TrainingDriver>(
        *this, TrainingRunOptions{options_.iterations, options_.checkpoint, options_.checkpoint_every, options_.resume,
                                  options_.evaluate_every});
}

int64_t PolicyTraining::iterations() const { return trainer_->iterations(); }

int64_t PolicyTraining::total_evaluations() const { return trainer_->total_evaluations() + validation_.evaluations; }

void PolicyTraining::iterate(const CancelToken* cancel) {
    // The start is scored once, before anything is learned (a resumed run has its score).
    if (validation_.enabled && validation_.last_iteration < 0) validate(cancel);
    last_ = trainer_->iterate(cancel);
    // Inside the iteration, so that a checkpoint written after it holds its validation; not
    // cancellable, or a cancel there would checkpoint an iteration whose validation never ran.
    const int64_t done = trainer_->iterations();
    if (validation_.enabled && (done % options_.validate_every == 0 || done == options_.iterations)) validate(nullptr);
}

void PolicyTraining::validate(const CancelToken* cancel) {
    const SampleResult samples = trainer_->sample_greedy(options_.validation_count, options_.validation_seed, cancel);
    validation_.evaluations += samples.evaluations.sum().item<int64_t>();
    double score = options_.validation(samples);
    if (std::isnan(score)) score = std::numeric_limits<double>::infinity();
    validation_.last = score;
    validation_.last_iteration = trainer_->iterations();
    if (best_parameters_.empty() || score < validation_.best) {
        if (best_parameters_.empty()) validation_.start = score;
        validation_.best = score;
        validation_.best_iteration = validation_.last_iteration;
        best_parameters_ = parameters_now();
    }
}

std::vector<torch::Tensor> PolicyTraining::parameters_now() const {
    std::vector<torch::Tensor> values;
    for (const torch::Tensor& p : policy_->parameters()) values.push_back(p.detach().clone());
    return values;
}

void PolicyTraining::load_parameters(const std::vector<torch::Tensor>& values) {
    torch::NoGradGuard no_grad;
    const std::vector<torch::Tensor> parameters = policy_->parameters();
    for (size_t i = 0; i < parameters.size(); ++i) parameters[i].copy_(values[i]);
}

void PolicyTraining::save_checkpoint(const std::string& path) const {
    trainer_->save_checkpoint(path, setup_.to_json(), [&](ArchiveWriter& archive) {
        if (!validation_.enabled || best_parameters_.empty()) return;
        archive.tensor("validation_scores", torch::tensor({validation_.start, validation_.best, validation_.last}, torch::kFloat64));
        archive.tensor("validation_counts",
                       torch::tensor({validation_.best_iteration, validation_.last_iteration, validation_.evaluations}, torch::kInt64));
        for (size_t i = 0; i < best_parameters_.size(); ++i) archive.tensor("best_policy_" + std::to_string(i), best_parameters_[i]);
    });
}

void PolicyTraining::load_checkpoint(const std::string& path) {
    trainer_->load_checkpoint(path, setup_.to_json(), [&](ArchiveReader& archive) {
        // A checkpoint of a run without validation starts validating where it resumes.
        if (!validation_.enabled || !archive.has("validation_scores")) return;
        const torch::Tensor scores = archive.tensor("validation_scores").to(torch::kFloat64);
        const torch::Tensor counts = archive.tensor("validation_counts").to(torch::kInt64);
        if (scores.numel() != 3 || counts.numel() != 3) archive.fail("has a damaged validation record");
        std::vector<torch::Tensor> best;
        const std::vector<torch::Tensor> now = policy_->parameters();
        for (size_t i = 0; i < now.size(); ++i) {
            best.push_back(archive.tensor("best_policy_" + std::to_string(i)));
            if (!best.back().sizes().equals(now[i].sizes())) archive.fail("has a best policy of another shape");
        }
        validation_.start = scores[0].item<double>();
        validation_.best = scores[1].item<double>();
        validation_.last = scores[2].item<double>();
        validation_.best_iteration = counts[0].item<int64_t>();
        validation_.last_iteration = counts[1].item<int64_t>();
        validation_.evaluations = counts[2].item<int64_t>();
        best_parameters_ = std::move(best);
    });
}

void PolicyTraining::save_result(bool partial, double seconds) {
    if (options_.policy_file.empty()) return;
    // The best validated policy goes to the file; training goes on from the current one.
    const bool best = validation_.enabled && !best_parameters_.empty();
    const std::vector<torch::Tensor> current = best ? parameters_now() : std::vector<torch::Tensor>{};
    if (best) load_parameters(best_parameters_);
    save_policy(*policy_, setup_, options_.policy_file, facts_json(last_, seconds, partial));
    if (best) load_parameters(current);
}

std::string PolicyTraining::facts_json(const IrlIteration& last, double seconds, bool partial) const {
    const DivergenceSpec& divergence = options_.irl.divergence;
    return nlohmann::json{{"iterations", trainer_->iterations()},
                          {"divergence", to_string(divergence.kind)},
                          {"pr_lambda", divergence.pr_lambda},
                          {"training_evaluations", trainer_->total_evaluations()},
                          {"seconds", seconds},
                          {"final_discriminator_accuracy", last.discriminator_accuracy},
                          {"final_mean_reward", last.mean_reward},
                          {"final_nfe", last.nfe},
                          {"validation", validation_.to_json()},
                          {"partial", partial}}
        .dump();
}

PolicyTrainingOutcome PolicyTraining::run(const PolicyTrainingControl& control) {
    last_ = IrlIteration{};
    const TrainingOutcome outcome = driver_->run(control, [&](const TrainingStep& step) {
        // Greedy samples from their own seed: how often a run evaluates never changes what it learns.
        SampleResult evaluation;
        if (step.evaluate) evaluation = trainer_->sample_greedy(options_.evaluation_count, options_.evaluation_seed, control.cancel, true);
        if (control.on_iteration)
            control.on_iteration(
                {last_, step.total, trainer_->total_evaluations(), step.seconds, validation_, step.evaluate ? &evaluation : nullptr});
    });
    if (validation_.enabled && !best_parameters_.empty()) load_parameters(best_parameters_);
    return {last_, outcome.stopped, outcome.seconds, outcome.paused_seconds, validation_};
}

}  // namespace irl
