#include "irl/engine/learning/irl/policy_training.h"

#include "irl/engine/io/atomic_file.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <stdexcept>

namespace irl {

const std::vector<std::string>& policy_kind_names() {
    static const std::vector<std::string> names{"table", "network"};
    return names;
}

std::shared_ptr<Policy> make_policy(const std::string& kind, const ActionSpace& actions, int64_t levels, const Denoiser& denoiser,
                                    int64_t budget, uint64_t seed, int64_t network_width) {
    if (kind == "table") return std::make_shared<TablePolicy>(actions, levels, budget);
    if (kind == "network")
        return std::make_shared<NetworkPolicy>(actions, levels, denoiser.sample_shape(), denoiser.num_classes(), network_width, seed, budget);
    throw std::invalid_argument("the policy must be table or network, not \"" + kind + "\"");
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

PolicyTraining::PolicyTraining(Denoiser& denoiser, torch::Tensor expert, PolicyTrainingOptions options) : options_(std::move(options)) {
    const int64_t levels = static_cast<int64_t>(options_.irl.sampler.sigmas.size()) - 1;
    policy_ = make_policy(options_.policy, options_.actions, levels, denoiser, options_.irl.sampler.budget, options_.irl.seed,
                          options_.network_width);
    trainer_ = std::make_unique<IrlTrainer>(denoiser, policy_, std::move(expert), options_.irl);
    setup_ = PolicySetup::of(denoiser, options_.irl.sampler);
    if (!options_.policy_file.empty()) check_writable(options_.policy_file);
    driver_ = std::make_unique<TrainingDriver>(
        *this, TrainingRunOptions{options_.iterations, options_.checkpoint, options_.checkpoint_every, options_.resume,
                                  options_.evaluate_every});
}

int64_t PolicyTraining::iterations() const { return trainer_->iterations(); }

void PolicyTraining::iterate(const CancelToken* cancel) { last_ = trainer_->iterate(cancel); }

void PolicyTraining::save_checkpoint(const std::string& path) const { trainer_->save_checkpoint(path, setup_.to_json()); }

void PolicyTraining::load_checkpoint(const std::string& path) { trainer_->load_checkpoint(path, setup_.to_json()); }

void PolicyTraining::save_result(bool partial, double seconds) {
    if (!options_.policy_file.empty()) save_policy(*policy_, setup_, options_.policy_file, facts_json(last_, seconds, partial));
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
            control.on_iteration({last_, step.total, trainer_->total_evaluations(), step.seconds, step.evaluate ? &evaluation : nullptr});
    });
    return {last_, outcome.stopped, outcome.seconds, outcome.paused_seconds};
}

}  // namespace irl
