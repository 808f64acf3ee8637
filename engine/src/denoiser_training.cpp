#include "irl/engine/denoiser_training.h"

#include "irl/engine/random.h"
#include "irl/engine/scatter_plot.h"
#include "irl/engine/unet_denoiser.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <chrono>
#include <filesystem>
#include <sstream>

namespace irl {
namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kCheckpointFormat = "irlstudio-unet-training/1";

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
    torch::serialize::OutputArchive archive;
    archive.write("format", c10::IValue(std::string(kCheckpointFormat)));
    archive.write("config", c10::IValue(options.model.to_json()));
    archive.write("step", torch::tensor(state.step));
    archive.write("seconds", torch::tensor(state.seconds, torch::kFloat64));
    torch::serialize::OutputArchive model, ema, optimizer;
    state.model->save(model);
    state.ema->save(ema);
    state.optimizer->save(optimizer);
    archive.write("model", model);
    archive.write("ema", ema);
    archive.write("optimizer", optimizer);
    std::ostringstream bytes;
    archive.save_to(bytes);
    write_file_atomically(options.checkpoint, bytes.str());
}

bool read_checkpoint(TrainingState& state, const DenoiserTrainingOptions& options) {
    const std::string& path = options.checkpoint;
    if (path.empty() || !std::filesystem::exists(path)) return false;
    torch::serialize::InputArchive archive;
    try {
        archive.load_from(path);
    } catch (const c10::Error&) {
        throw std::runtime_error("checkpoint '" + path + "' is corrupt or truncated; move it away to start afresh");
    }
    c10::IValue format, config;
    if (!archive.try_read("format", format) || !format.isString() || format.toStringRef() != kCheckpointFormat)
        throw std::runtime_error("checkpoint '" + path + "' is not a denoiser training checkpoint");
    if (!archive.try_read("config", config) || UnetConfig::from_json(config.toStringRef()).to_json() != options.model.to_json())
        throw std::runtime_error("checkpoint '" + path + "' was made for another network configuration");
    torch::Tensor step, seconds;
    archive.read("step", step);
    archive.read("seconds", seconds);
    torch::serialize::InputArchive model, ema, optimizer;
    archive.read("model", model);
    archive.read("ema", ema);
    archive.read("optimizer", optimizer);
    state.model->load(model);
    state.ema->load(ema);
    state.optimizer->load(optimizer);
    state.step = step.item<int64_t>();
    state.seconds = seconds.item<double>();
    return true;
}

void export_weights(TrainingState& state, const DenoiserTrainingOptions& options, const ImageDataset& data) {
    if (options.export_path.empty()) return;
    const nlohmann::json facts = {{"steps", state.step}, {"batch", options.batch}, {"training_seconds", state.seconds},
                                  {"data", data.source}, {"images", data.size()}, {"learning_rate", options.learning_rate},
                                  {"ema_decay", options.ema_decay}, {"label_dropout", options.label_dropout},
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
    while (state.step < options.steps) {
        if (cancel && cancel->cancelled()) {
            if (!options.checkpoint.empty()) write_checkpoint(state, options);
            export_weights(state, options, data);
            throw Cancelled();
        }
        const torch::Tensor index = at::randint(data.size(), {options.batch}, generator, torch::kInt64);
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
