// DxMI (Yoon et al., NeurIPS 2024) on the engine's one training driver: each iteration rolls the
// few-step sampler out, moves the energy down on data and up on the samples, fits the value by a
// backward TD sweep (V at the last step is the energy), and takes one reparametrised sampler step
// from the rollout's states through V, the step cost and the entropy. With a trainable denoiser
// (MlpDenoiser) its weights are fine-tuned as part of the sampler; with any other denoiser only
// the step noises s_t are.
#pragma once

#include "irl/engine/learning/dxmi/energy_value.h"
#include "irl/engine/learning/dxmi/few_step_sampler.h"
#include "irl/engine/learning/training_driver.h"
#include "irl/engine/models/denoiser.h"
#include "irl/engine/models/mlp_denoiser.h"

#include <torch/optim/adam.h>

#include <memory>
#include <string>
#include <vector>

namespace irl {

struct DxmiOptions {
    std::vector<double> sigmas;      // the sampler's T + 1 levels, ending at 0
    bool learn_levels = false;       // also learn the levels between the first and the last nonzero one
    double level_lr = 1e-2;          // their shares' logits
    double noise_fraction = 0.3;     // s_t starts at this share of Euler ancestral's noise
    double last_noise = 0.002;       // must be above 0 (the entropy term takes its log)
    int64_t batch = 256;
    double denoiser_lr = 1e-4;       // the denoiser's weights (when it has trainable ones)
    double noise_lr = 1e-3;          // the step noises' logits
    double energy_lr = 1e-3;
    double value_lr = 1e-3;
    double tau1 = 0.1;               // the entropy's weight
    double tau2 = 0.01;              // the step cost's weight
    double gamma = 1.0;              // the energy's square term
    // The energy's negatives: the sampler's final samples only (false, as the authors' code), or
    // those and as many data points noised at levels drawn log-uniformly between the sampler's
    // lowest and highest nonzero level (true). The final samples all lie near the data, so alone
    // they leave the energy unconstrained away from it and blind to density within it.
    bool noised_negatives = false;
    double gradient_clip = 1.0;
    int64_t width = 64;              // the energy's and the value's
    uint64_t seed = 0;
    TrainingRunOptions run;
    // What was learned (dxmi_files.h), written at the end and, marked partial, on a stop or cancel;
    // empty: not written.
    std::string sampler_file;  // the sampler, with the fine-tuned denoiser when there is one
    std::string energy_file;
};

struct DxmiIteration {
    int64_t iteration = 0;
    double data_energy = 0.0, sample_energy = 0.0;
    double energy_loss = 0.0, value_loss = 0.0, sampler_loss = 0.0;
    std::vector<double> step_noise;  // s_t
    std::vector<double> step_scale;  // beta_t
    std::vector<double> sigmas;      // the levels now (they move when learned)
    int64_t evaluations = 0;         // denoiser calls times samples, this iteration
};

class DxmiTrainer : public Trainer {
public:
    // `data`: the clean data [N, dimension]. `trainable`, when given, is the same object as
    // `denoiser` and has its weights fine-tuned. Throws std::invalid_argument for bad options.
    DxmiTrainer(Denoiser& denoiser, MlpDenoiser* trainable, torch::Tensor data, DxmiOptions options);

    int64_t iterations() const override { return iteration_; }
    void iterate(const CancelToken* cancel) override;
    void save_checkpoint(const std::string& path) const override;
    void load_checkpoint(const std::string& path) override;
    void save_result(bool partial, double seconds) override;

    TrainingOutcome run(const TrainingSteering& control = {}, const std::function<void(const DxmiIteration&)>& on_iteration = {});
    const DxmiIteration& last() const { return last_; }
    bool resumed() const { return driver_->resumed(); }
    FewStepSampler& sampler() { return sampler_; }
    EnergyNet& energy() { return energy_; }
    int64_t total_evaluations() const { return total_evaluations_; }

private:
    // D(x; sigma) at a level that is a 0-dim tensor; with `gradients`, differentiable in the
    // trainable weights and (when the levels are learned) in sigma.
    torch::Tensor denoise(const torch::Tensor& x, const torch::Tensor& sigma, bool gradients);

    Denoiser& denoiser_;
    MlpDenoiser* trainable_;
    torch::Tensor data_;
    DxmiOptions options_;
    FewStepSampler sampler_{nullptr};
    EnergyNet energy_{nullptr};
    ValueNet value_{nullptr};
    std::vector<StepScale> scales_;
    std::unique_ptr<torch::optim::Adam> sampler_optimizer_, energy_optimizer_, value_optimizer_;
    at::Generator generator_;
    int64_t iteration_ = 0;
    int64_t total_evaluations_ = 0;
    DxmiIteration last_;
    std::unique_ptr<TrainingDriver> driver_;
};

}  // namespace irl
