#include "irl/engine/learning/irl/policy_training.h"

#include "irl/engine/io/atomic_file.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <thread>

namespace irl {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace

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
    if (!options_.checkpoint.empty()) check_writable(options_.checkpoint);
    if (options_.resume && !options_.checkpoint.empty() && std::filesystem::exists(options_.checkpoint)) {
        trainer_->load_checkpoint(options_.checkpoint, setup_.to_json());
        resumed_ = true;
    }
}

void PolicyTraining::write_checkpoint() const { trainer_->save_checkpoint(options_.checkpoint, setup_.to_json()); }

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
    PolicyTrainingOutcome outcome;
    const auto start = Clock::now();
    const bool has_checkpoint = !options_.checkpoint.empty();
    auto cancelled = [&] { return control.cancel && control.cancel->cancelled(); };
    auto serve_checkpoint_request = [&] {
        if (!has_checkpoint || !control.checkpoint_requested || !control.checkpoint_requested()) return;
        write_checkpoint();
        if (control.checkpoint_written) control.checkpoint_written(options_.checkpoint, trainer_->iterations());
    };
    auto save_policy_file = [&](bool partial) {
        if (options_.policy_file.empty()) return;
        save_policy(*policy_, setup_, options_.policy_file, facts_json(outcome.last, outcome.seconds, partial));
    };
    try {
        while (trainer_->iterations() < options_.iterations) {
            if (control.paused) {
                const auto pause_start = Clock::now();
                while (control.paused() && !cancelled() && !(control.stop && control.stop())) {
                    serve_checkpoint_request();
                    std::this_thread::sleep_for(std::chrono::milliseconds(30));
                }
                outcome.paused_seconds += seconds_since(pause_start);
            }
            if (control.cancel) control.cancel->throw_if_cancelled();
            if (control.stop && control.stop()) {
                outcome.stopped = true;
                break;
            }
            outcome.last = trainer_->iterate(control.cancel);
            const int64_t done = trainer_->iterations();
            const bool last_one = done == options_.iterations;
            SampleResult evaluation;
            const bool evaluate = options_.evaluate_every > 0 && (done % options_.evaluate_every == 0 || last_one);
            if (evaluate) evaluation = trainer_->sample_greedy(options_.evaluation_count, options_.evaluation_seed, control.cancel, true);
            if (has_checkpoint && options_.checkpoint_every > 0 && (done % options_.checkpoint_every == 0 || last_one)) write_checkpoint();
            serve_checkpoint_request();
            outcome.seconds = seconds_since(start) - outcome.paused_seconds;
            if (control.on_iteration)
                control.on_iteration({outcome.last, options_.iterations, trainer_->total_evaluations(), outcome.seconds,
                                      evaluate ? &evaluation : nullptr});
        }
    } catch (const Cancelled&) {
        // What was learned survives a cancel: a checkpoint to resume from and the policy so far.
        outcome.seconds = seconds_since(start) - outcome.paused_seconds;
        if (has_checkpoint) write_checkpoint();
        save_policy_file(true);
        throw;
    }
    outcome.seconds = seconds_since(start) - outcome.paused_seconds;
    // A stopped run resumes from its checkpoint. A finished one that writes them periodically
    // wrote it at its last iteration already.
    if (has_checkpoint && outcome.stopped) write_checkpoint();
    save_policy_file(false);
    return outcome;
}

}  // namespace irl
