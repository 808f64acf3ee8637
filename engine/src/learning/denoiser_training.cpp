#include "irl/engine/learning/denoiser_training.h"

#include "irl/engine/core/random.h"
#include "irl/engine/io/archive.h"
#include "irl/engine/models/unet_denoiser.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <chrono>
#include <filesystem>

namespace irl {
namespace {

using Clock = std::chrono::steady_clock;
const FileKind kUnetCheckpointFile{"irlstudio-unet-training", 1, "denoiser training checkpoint"};

struct TrainingState {
    EdmUnet model{nullptr};
    EdmUnet ema{nullptr};
    std::unique_ptr<torch::optim::Adam> optimizer;
    int64_t step = 0;
    double seconds = 0.0;
};

void copy_parameters(EdmUnet& from, EdmUnet& to) {
    torch::NoGradGuard no_grad;
    auto source = from->parameters();
    auto target = to->parameters();
    for (size_t i = 0; i < source.size(); ++i) target[i].copy_(source[i]);
}

void write_checkpoint(TrainingState& state, const DenoiserTrainingOptions& options) {
    ArchiveWriter archive(kUnetCheckpointFile);
    archive.text("config", options.model.to_json());
    archive.integer("step", state.step);
    archive.number("seconds", state.seconds);
    archive.module("model", *state.model);
    archive.module("ema", *state.ema);
    archive.optimizer("optimizer", *state.optimizer);
    archive.save(options.checkpoint);
}

bool read_checkpoint(TrainingState& state, const DenoiserTrainingOptions& options) {
    const std::string& path = options.checkpoint;
    if (path.empty() || !std::filesystem::exists(path)) return false;
    ArchiveReader archive(path, kUnetCheckpointFile);
    std::string config;
    try {
        config = UnetConfig::from_json(archive.text("config")).to_json();
    } catch (const std::runtime_error& e) {
        archive.fail(std::string("has a bad network configuration (") + e.what() + ")");
    }
    if (config != options.model.to_json())
        archive.fail("was made for another network configuration (" + config + "); move it away to start afresh");
    archive.load_module("model", *state.model);
    archive.load_module("ema", *state.ema);
    archive.load_optimizer("optimizer", *state.optimizer);
    state.step = archive.integer("step");
    state.seconds = archive.number("seconds");
    return true;
}

void export_weights(TrainingState& state, const DenoiserTrainingOptions& options, const ImageDataset& data) {
    if (options.export_path.empty()) return;
    const nlohmann::json facts = {{"steps", state.step}, {"batch", options.batch}, {"training_seconds", state.seconds},
                                  {"data", data.source}, {"images", data.size()}, {"learning_rate", options.learning_rate},
                                  {"ema_decay", options.ema_decay}, {"label_dropout", options.label_dropout},
                                  {"balance_classes", options.balance_classes}, {"class_names", data.class_names},
                                  {"parameters", state.model->parameter_count()}};
    save_unet_weights(state.ema, options.export_path, facts.dump());
}

}  // namespace

void train_denoiser(const ImageDataset& data, const DenoiserTrainingOptions& options,
                    const std::function<void(const DenoiserTrainingProgress&)>& on_progress, const CancelToken* cancel) {
    if (data.size() == 0) throw std::invalid_argument("train-denoiser: the data set is empty");
    if (data.images.size(1) != options.model.image_channels || data.images.size(2) != options.model.image_size)
        throw std::invalid_argument("train-denoiser: images do not match the network's shape");
    TrainingState state;
    state.model = EdmUnet(options.model);
    state.ema = EdmUnet(options.model);
    copy_parameters(state.model, state.ema);
    state.optimizer = std::make_unique<torch::optim::Adam>(
        state.model->parameters(), torch::optim::AdamOptions(options.learning_rate).betas({0.9, 0.999}).eps(1e-8));
    DenoiserTrainingProgress progress;
    progress.resumed = read_checkpoint(state, options);
    progress.total = options.steps;
    state.model->train();

    // A resumed run draws from a generator seeded by the step, so it does not replay old batches.
    at::Generator generator = make_generator(options.seed * 1000003ULL + static_cast<uint64_t>(state.step));
    const auto start = Clock::now();
    const double seconds_before = state.seconds;
    const double sd = options.model.sigma_data;
    double running = 0.0;
    int64_t since_checkpoint = 0;
    torch::Tensor draw_weights;  // per image: 1 / (images of its class), when balancing
    if (options.balance_classes) {
        const torch::Tensor counts = torch::bincount(data.labels).to(torch::kFloat64);
        draw_weights = (1.0 / counts).index_select(0, data.labels);
    }
    while (state.step < options.steps) {
        if (cancel && cancel->cancelled()) {
            if (!options.checkpoint.empty()) write_checkpoint(state, options);
            export_weights(state, options, data);
            throw Cancelled();
        }
        const torch::Tensor index = options.balance_classes
                                        ? at::multinomial(draw_weights, options.batch, /*replacement=*/true, generator)
                                        : at::randint(data.size(), {options.batch}, generator, torch::kInt64);
        const torch::Tensor clean = data.images.index_select(0, index);
        torch::Tensor labels = data.labels.index_select(0, index);
        const torch::Tensor drop = at::rand({options.batch}, generator) < options.label_dropout;
        labels = torch::where(drop, torch::full_like(labels, -1), labels);
        const torch::Tensor sigma =
            (at::normal(0.0, 1.0, {options.batch}, generator) * options.p_std + options.p_mean).exp().to(torch::kFloat32);
        const torch::Tensor noise = at::normal(0.0, 1.0, clean.sizes(), generator).to(torch::kFloat32);
        const torch::Tensor noisy = clean + sigma.reshape({-1, 1, 1, 1}) * noise;
        const torch::Tensor weight = (sigma.square() + sd * sd) / (sigma * sd).square();
        const torch::Tensor denoised = state.model->denoise(noisy, sigma, labels);
        const torch::Tensor loss = (weight.reshape({-1, 1, 1, 1}) * (denoised - clean).square()).mean();

        const double lr = options.learning_rate * std::min(1.0, double(state.step + 1) / double(std::max<int64_t>(1, options.warmup)));
        for (auto& group : state.optimizer->param_groups())
            static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
        state.optimizer->zero_grad();
        loss.backward();
        torch::nn::utils::clip_grad_norm_(state.model->parameters(), 1.0);
        state.optimizer->step();
        ++state.step;
        {
            torch::NoGradGuard no_grad;
            const double beta = std::min(options.ema_decay, (1.0 + state.step) / (10.0 + state.step));
            auto source = state.model->parameters();
            auto target = state.ema->parameters();
            for (size_t i = 0; i < source.size(); ++i) target[i].mul_(beta).add_(source[i], 1.0 - beta);
        }
        const double value = loss.item<double>();
        running = since_checkpoint == 0 && progress.step == 0 ? value : 0.98 * running + 0.02 * value;
        progress.step = state.step;
        progress.loss = running;
        progress.seconds = std::chrono::duration<double>(Clock::now() - start).count();
        state.seconds = seconds_before + progress.seconds;
        progress.total_seconds = state.seconds;
        if (on_progress) on_progress(progress);
        if (++since_checkpoint >= options.checkpoint_every || state.step == options.steps) {
            if (!options.checkpoint.empty()) write_checkpoint(state, options);
            export_weights(state, options, data);
            since_checkpoint = 0;
        }
    }
}

}  // namespace irl
