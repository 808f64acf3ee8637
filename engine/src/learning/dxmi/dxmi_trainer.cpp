#include "irl/engine/learning/dxmi/dxmi_trainer.h"

#include "irl/engine/core/random.h"
#include "irl/engine/io/archive.h"
#include "irl/engine/learning/dxmi/dxmi_files.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace irl {
namespace {

const FileKind kDxmiCheckpoint{"irlstudio-dxmi-checkpoint", 1, "DxMI checkpoint"};

void clip_and_step(torch::optim::Adam& optimizer, double clip) {
    std::vector<torch::Tensor> parameters;
    for (auto& group : optimizer.param_groups())
        for (auto& p : group.params()) parameters.push_back(p);
    torch::nn::utils::clip_grad_norm_(parameters, clip);
    optimizer.step();
}

}  // namespace

DxmiTrainer::DxmiTrainer(Denoiser& denoiser, MlpDenoiser* trainable, torch::Tensor data, DxmiOptions options)
    : denoiser_(denoiser), trainable_(trainable), data_(std::move(data)), options_(std::move(options)),
      generator_(make_generator(options_.seed + 104729)) {
    if (trainable_ && static_cast<Denoiser*>(trainable_) != &denoiser_)
        throw std::invalid_argument("DxMI: the trainable denoiser must be the denoiser it samples with");
    if (data_.dim() != 2 || data_.size(0) < 1) throw std::invalid_argument("DxMI: the data must be points, [N, dimension]");
    if (options_.batch < 2) throw std::invalid_argument("DxMI: the batch must hold at least 2 samples");
    // The last step's entropy term is tau1 log s: it needs a noise above 0.
    if (!(options_.last_noise > 0.0)) throw std::invalid_argument("DxMI: the last step's noise must be above 0");
    const int64_t dimension = data_.size(1);
    data_ = data_.to(torch::kFloat32);
    if (options_.learn_levels && options_.sigmas.size() < 4)
        throw std::invalid_argument("DxMI: learning the levels needs at least 3 steps (a level between the first and the last)");
    for (double rate : {options_.denoiser_lr, options_.noise_lr, options_.energy_lr, options_.value_lr, options_.level_lr})
        if (!(rate >= 0.0)) throw std::invalid_argument("DxMI: every learning rate must be 0 or more");
    if (options_.learn_levels && !trainable_ && !denoiser_.gives_gradients())
        throw std::invalid_argument("DxMI: learning the levels needs a denoiser that gives gradients in sigma");
    sampler_ = FewStepSampler(options_.sigmas, options_.noise_fraction, options_.last_noise, options_.learn_levels);
    energy_ = EnergyNet(dimension, options_.width, options_.seed);
    value_ = ValueNet(dimension, sampler_->steps(), options_.width, options_.seed + 1);
    scales_.assign(static_cast<size_t>(sampler_->steps()), StepScale{});
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(std::vector<torch::Tensor>{sampler_->noise_logits},
                        std::make_unique<torch::optim::AdamOptions>(options_.noise_lr));
    if (trainable_)
        groups.emplace_back(trainable_->network()->parameters(), std::make_unique<torch::optim::AdamOptions>(options_.denoiser_lr));
    if (sampler_->learns_levels())
        groups.emplace_back(std::vector<torch::Tensor>{sampler_->level_logits}, std::make_unique<torch::optim::AdamOptions>(options_.level_lr));
    sampler_optimizer_ = std::make_unique<torch::optim::Adam>(std::move(groups), torch::optim::AdamOptions(options_.noise_lr));
    energy_optimizer_ = std::make_unique<torch::optim::Adam>(energy_->parameters(), torch::optim::AdamOptions(options_.energy_lr));
    value_optimizer_ = std::make_unique<torch::optim::Adam>(value_->parameters(), torch::optim::AdamOptions(options_.value_lr));
    driver_ = std::make_unique<TrainingDriver>(*this, options_.run);
}

torch::Tensor DxmiTrainer::denoise(const torch::Tensor& x, const torch::Tensor& sigma, bool gradients) {
    const torch::Tensor labels = torch::full({x.size(0)}, kUnconditional);
    if (!gradients) {
        // A copy outside inference mode, so that autograd may keep it.
        const torch::Tensor level = torch::full({x.size(0)}, sigma.item<double>(), torch::kFloat64);
        return denoiser_.denoise(x, level, labels).clone();
    }
    const torch::Tensor level = sigma.to(torch::kFloat64).expand({x.size(0)});
    if (trainable_) return trainable_->train_forward(x, level);
    if (sampler_->learns_levels()) return denoiser_.denoise_with_gradients(x, level, labels);
    return denoiser_.denoise(x, level.detach(), labels).clone();
}

void DxmiTrainer::iterate(const CancelToken* cancel) {
    const int64_t steps = sampler_->steps(), b = options_.batch, dimension = data_.size(1);
    const std::vector<double> sigmas = sampler_->sigmas();
    DxmiIteration report;
    // Cancelled only here, before anything changes: an iteration is all or nothing, so that a
    // checkpoint written on a cancel resumes exactly.
    if (cancel) cancel->throw_if_cancelled();
    // (1) A rollout of the sampler, its states kept.
    std::vector<torch::Tensor> states{sigmas.front() * standard_normal({b, dimension}, generator_, torch::kFloat32)};
    {
        torch::NoGradGuard no_grad;
        for (int64_t t = 0; t < steps; ++t) {
            const torch::Tensor& x = states.back();
            states.push_back(sampler_->step(x, t, denoise(x, torch::tensor(sigmas[size_t(t)], torch::kFloat64), false),
                                            standard_normal(x.sizes(), generator_, torch::kFloat32)));
        }
    }
    // (2) The energy: down on data, up on the samples (and, as an option, on noised data).
    const torch::Tensor pick = torch::randint(data_.size(0), {b}, generator_, torch::kInt64);
    torch::Tensor negatives = states.back();
    if (options_.noised_negatives) {
        double lowest = sigmas.front(), highest = 0.0;
        for (double sigma : sigmas)
            if (sigma > 0.0) lowest = std::min(lowest, sigma), highest = std::max(highest, sigma);
        const torch::Tensor noised = data_.index_select(0, torch::randint(data_.size(0), {b}, generator_, torch::kInt64));
        const torch::Tensor u = torch::rand({b, 1}, generator_, torch::kFloat32);
        const torch::Tensor level = (std::log(lowest) + u * (std::log(highest) - std::log(lowest))).exp();
        negatives = torch::cat({negatives, noised + level * standard_normal(noised.sizes(), generator_, torch::kFloat32)});
    }
    const torch::Tensor data_energy = energy_(data_.index_select(0, pick)), negative_energy = energy_(negatives);
    const torch::Tensor sample_energy = negative_energy.narrow(0, 0, b);
    const torch::Tensor e_loss = energy_loss(data_energy, negative_energy, options_.gamma);
    energy_optimizer_->zero_grad();
    e_loss.backward();
    clip_and_step(*energy_optimizer_, options_.gradient_clip);
    report.data_energy = data_energy.mean().item<double>();
    report.sample_energy = sample_energy.mean().item<double>();
    report.energy_loss = e_loss.item<double>();
    // (3) beta_t, then (4) the value by a backward TD sweep: V(x_T, T) is the energy.
    for (int64_t t = 0; t < steps; ++t) scales_[size_t(t)].observe(states[size_t(t)], states[size_t(t) + 1]);
    const torch::Tensor log_s = sampler_->step_noise().log().detach();
    auto step_of = [b](int64_t t) { return torch::full({b}, t, torch::kInt64); };
    auto value_at = [&](const torch::Tensor& x, int64_t t) { return t == steps ? energy_(x) : value_(x, step_of(t)); };
    for (int64_t t = steps - 1; t >= 0; --t) {
        const size_t i = size_t(t);
        const torch::Tensor target = td_target(value_at(states[i + 1], t + 1), states[i], states[i + 1], scales_[i].value, log_s[t],
                                               options_.tau1, options_.tau2);
        const torch::Tensor v_loss = (value_(states[i], step_of(t)) - target).square().mean();
        value_optimizer_->zero_grad();
        v_loss.backward();
        clip_and_step(*value_optimizer_, options_.gradient_clip);
        report.value_loss += v_loss.item<double>() / double(steps);
    }
    // (5) The sampler: one reparametrised step from every kept state, through V, the step cost and
    // the entropy.
    torch::Tensor s_loss = torch::zeros({}, torch::kFloat32);
    const torch::Tensor noise_log = sampler_->step_noise().log();
    const torch::Tensor levels = sampler_->level_tensor();
    for (int64_t t = 0; t < steps; ++t) {
        const size_t i = size_t(t);
        const torch::Tensor& x = states[i];
        const torch::Tensor next = sampler_->step(x, t, denoise(x, levels[t], true), standard_normal(x.sizes(), generator_, torch::kFloat32));
        s_loss = s_loss + (value_at(next, t + 1) + step_cost(x, next, scales_[i].value, noise_log[t], options_.tau1, options_.tau2)).mean();
    }
    sampler_optimizer_->zero_grad();
    s_loss.backward();
    clip_and_step(*sampler_optimizer_, options_.gradient_clip);
    report.sampler_loss = s_loss.item<double>();

    ++iteration_;
    report.iteration = iteration_;
    report.evaluations = 2 * steps * b;
    total_evaluations_ += report.evaluations;
    const torch::Tensor s = sampler_->step_noise().detach().contiguous();
    report.step_noise.assign(s.data_ptr<double>(), s.data_ptr<double>() + s.numel());
    for (const StepScale& scale : scales_) report.step_scale.push_back(scale.value);
    report.sigmas = sampler_->sigmas();
    last_ = report;
}

namespace {
std::string setup_text(const DxmiOptions& o, const MlpDenoiser* trainable, const Denoiser& denoiser) {
    nlohmann::json setup{{"sigmas", o.sigmas}, {"batch", o.batch}, {"tau1", o.tau1}, {"tau2", o.tau2}, {"gamma", o.gamma},
                          {"width", o.width}, {"denoiser", denoiser.identity()}, {"fine_tuned", trainable != nullptr},
                          {"noise_fraction", o.noise_fraction}, {"last_noise", o.last_noise}, {"denoiser_lr", o.denoiser_lr},
                          {"noise_lr", o.noise_lr}, {"energy_lr", o.energy_lr}, {"value_lr", o.value_lr},
                          {"learn_levels", o.learn_levels}, {"level_lr", o.level_lr}};
    // Only when set, so that checkpoints written before the option existed still resume.
    if (o.noised_negatives) setup["negatives"] = "samples and noised data";
    return setup.dump();
}
}  // namespace

void DxmiTrainer::save_checkpoint(const std::string& path) const {
    ArchiveWriter archive(kDxmiCheckpoint);
    archive.text("setup", setup_text(options_, trainable_, denoiser_));
    archive.integer("iteration", iteration_);
    archive.integer("total_evaluations", total_evaluations_);
    archive.tensor("generator", generator_.get_state());
    archive.module("sampler", *sampler_);
    archive.module("energy", *energy_);
    archive.module("value", *value_);
    if (trainable_) archive.module("denoiser", *trainable_->network());
    archive.optimizer("sampler_optimizer", *sampler_optimizer_);
    archive.optimizer("energy_optimizer", *energy_optimizer_);
    archive.optimizer("value_optimizer", *value_optimizer_);
    std::vector<double> scales, seen;
    for (const StepScale& s : scales_) scales.push_back(s.value), seen.push_back(s.seen ? 1.0 : 0.0);
    archive.tensor("step_scales", torch::tensor(scales, torch::kFloat64));
    archive.tensor("step_scales_seen", torch::tensor(seen, torch::kFloat64));
    archive.save(path);
}

void DxmiTrainer::load_checkpoint(const std::string& path) {
    ArchiveReader archive(path, kDxmiCheckpoint);
    if (archive.text("setup") != setup_text(options_, trainable_, denoiser_))
        archive.fail("was written for another DxMI setup (levels, batch, weights, rates, widths or denoiser differ)");
    archive.load_module("sampler", *sampler_);
    archive.load_module("energy", *energy_);
    archive.load_module("value", *value_);
    if (trainable_) archive.load_module("denoiser", *trainable_->network());
    archive.load_optimizer("sampler_optimizer", *sampler_optimizer_);
    archive.load_optimizer("energy_optimizer", *energy_optimizer_);
    archive.load_optimizer("value_optimizer", *value_optimizer_);
    const torch::Tensor scales = archive.tensor("step_scales").to(torch::kFloat64), seen = archive.tensor("step_scales_seen");
    if (scales.numel() != sampler_->steps() || seen.numel() != sampler_->steps()) archive.fail("has damaged step scales");
    for (int64_t t = 0; t < sampler_->steps(); ++t)
        scales_[size_t(t)].value = scales[t].item<double>(), scales_[size_t(t)].seen = seen[t].item<double>() > 0.5;
    const int64_t iteration = archive.integer("iteration"), total = archive.integer("total_evaluations");
    if (iteration < 0 || total < 0) archive.fail("has damaged counters");
    try {
        generator_.set_state(archive.tensor("generator"));
    } catch (const std::exception&) {
        archive.fail("has a damaged random-generator state");
    }
    iteration_ = iteration;
    total_evaluations_ = total;
}

void DxmiTrainer::save_result(bool partial, double seconds) {
    if (options_.sampler_file.empty() && options_.energy_file.empty()) return;
    // A run stopped before its iterations are done is partial too.
    partial = partial || iteration_ < options_.run.iterations;
    const nlohmann::json facts = {{"iterations", iteration_}, {"seconds", seconds}, {"partial", partial},
                                  {"training_evaluations", total_evaluations_}, {"setup", nlohmann::json::parse(setup_text(options_, trainable_, denoiser_))}};
    if (!options_.sampler_file.empty())
        save_dxmi_sampler(options_.sampler_file, sampler_, denoiser_.identity(), denoiser_.weights_checksum(), trainable_, facts.dump());
    if (!options_.energy_file.empty()) save_energy(options_.energy_file, energy_, data_.size(1), options_.width, facts.dump());
}

TrainingOutcome DxmiTrainer::run(const TrainingSteering& control, const std::function<void(const DxmiIteration&)>& on_iteration) {
    return driver_->run(control, [&](const TrainingStep&) {
        if (on_iteration) on_iteration(last_);
    });
}

}  // namespace irl
