#include "irl/engine/learning/feature_training.h"

#include "irl/engine/core/random.h"
#include "irl/engine/core/setup_differences.h"
#include "irl/engine/io/archive.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>

namespace irl {
namespace {

const FileKind kCheckpointFile{"irlstudio-features-training", 1, "feature network checkpoint"};

ImageDataset subset(const ImageDataset& data, const std::vector<int64_t>& rows) {
    ImageDataset out;
    const torch::Tensor index = torch::tensor(rows, torch::kInt64);
    out.images = data.images.index_select(0, index);
    out.labels = data.labels.index_select(0, index);
    out.class_names = data.class_names;
    out.source = data.source;
    return out;
}

// How messages name the data: a folder by its path, Fashion-MNIST by name.
std::string data_name(const std::string& source) {
    const std::string folder = "folder:";
    return source.rfind(folder, 0) == 0 ? "the folder '" + source.substr(folder.size()) + "'" : source;
}

}  // namespace

HeldOutSplit split_held_out(const ImageDataset& data, double share) {
    if (!(share > 0.0 && share < 1.0)) throw std::invalid_argument("the held-out share must lie between 0 and 1");
    const int64_t every = std::max<int64_t>(2, std::llround(1.0 / share));
    const torch::Tensor labels = data.labels.to(torch::kInt64).contiguous();
    const int64_t classes = static_cast<int64_t>(data.class_names.size());
    std::vector<std::vector<int64_t>> rows(static_cast<size_t>(std::max<int64_t>(classes, labels.numel() ? labels.max().item<int64_t>() + 1 : 0)));
    const int64_t* label = labels.data_ptr<int64_t>();
    for (int64_t i = 0; i < labels.numel(); ++i) rows[static_cast<size_t>(label[i])].push_back(i);
    std::vector<int64_t> train, held_out;
    for (const std::vector<int64_t>& in_class : rows) {
        const int64_t n = static_cast<int64_t>(in_class.size());
        for (int64_t p = 0; p < n; ++p) {
            const bool hold = p % every == every - 1 || (n >= 2 && n < every && p == n - 1);
            (hold ? held_out : train).push_back(in_class[static_cast<size_t>(p)]);
        }
    }
    return {subset(data, train), subset(data, held_out)};
}

FeatureTraining::FeatureTraining(const ImageDataset& data, FeatureTrainingOptions options)
    : options_(std::move(options)), generator_(make_generator(options_.seed)) {
    // Pictures in one class have nothing to classify: an autoencoder learns their features instead.
    const bool autoencoder = data.class_names.size() < 2;
    split_ = split_held_out(data, options_.held_out);
    if (split_.train.size() == 0) throw std::invalid_argument(data_name(data.source) + " leaves no picture to train on once some are held out");
    const ImageShape shape = image_shape_of(std::vector<int64_t>(data.images.sizes().begin() + 1, data.images.sizes().end()));
    seeded_initialisation(options_.seed, [&] {
        network_ = FeatureNetwork(shape, autoencoder ? 0 : static_cast<int64_t>(data.class_names.size()), options_.width);
    });
    optimizer_ = std::make_unique<torch::optim::Adam>(network_->parameters(), torch::optim::AdamOptions(options_.learning_rate));
    facts_.kind = autoencoder ? "autoencoder" : "classifier";
    facts_.class_names = data.class_names;
    facts_.data = data.source;
    facts_.train_images = split_.train.size();
    facts_.held_out_images = split_.held_out.size();
    facts_.seed = options_.seed;
    facts_.command = options_.command;
    driver_ = std::make_unique<TrainingDriver>(*this, options_.run);
}

TrainingOutcome FeatureTraining::run(const TrainingSteering& control, const std::function<void(const TrainingStep&)>& after) {
    return driver_->run(control, after);
}

void FeatureTraining::iterate(const CancelToken* cancel) {
    if (cancel) cancel->throw_if_cancelled();
    network_->train();
    const torch::Tensor index = at::randint(split_.train.size(), {options_.batch}, generator_, torch::TensorOptions().dtype(torch::kInt64));
    torch::Tensor images = split_.train.images.index_select(0, index);
    if (options_.flips) {
        const torch::Tensor flip = at::rand({options_.batch}, generator_) < 0.5;
        images = torch::where(flip.reshape({-1, 1, 1, 1}), images.flip({3}), images);
    }
    const torch::Tensor loss = network_->autoencoder()
                                   ? torch::mse_loss(network_->reconstruct(images), images)
                                   : torch::cross_entropy_loss(network_->forward(images), split_.train.labels.index_select(0, index));
    optimizer_->zero_grad();
    loss.backward();
    optimizer_->step();
    const double value = loss.item<double>();
    running_loss_ = iteration_ == 0 ? value : 0.98 * running_loss_ + 0.02 * value;
    ++iteration_;
}

std::string FeatureTraining::setup_json() const {
    return nlohmann::json{{"shape", network_->shape().text()}, {"classes", facts_.class_names}, {"data", facts_.data},
                          {"train_images", facts_.train_images}, {"width", options_.width}, {"batch", options_.batch},
                          {"learning_rate", options_.learning_rate}, {"held_out", options_.held_out}, {"flips", options_.flips},
                          {"seed", options_.seed}}
        .dump();
}

void FeatureTraining::save_checkpoint(const std::string& path) const {
    ArchiveWriter archive(kCheckpointFile);
    archive.text("setup", setup_json());
    archive.integer("iteration", iteration_);
    archive.number("running_loss", running_loss_);
    archive.tensor("generator", generator_.get_state());
    archive.module("network", *network_);
    archive.optimizer("optimizer", *optimizer_);
    archive.save(path);
}

void FeatureTraining::load_checkpoint(const std::string& path) {
    ArchiveReader archive(path, kCheckpointFile);
    const std::string differences = setup_differences(archive.text("setup"), setup_json(), "the checkpoint");
    if (!differences.empty()) archive.fail("was written for another feature training:\n" + differences);
    const int64_t iteration = archive.integer("iteration");
    if (iteration < 0) archive.fail("has a damaged iteration count");
    archive.load_module("network", *network_);
    archive.load_optimizer("optimizer", *optimizer_);
    try {
        generator_.set_state(archive.tensor("generator"));
    } catch (const std::exception&) {
        archive.fail("has a damaged random state");
    }
    iteration_ = iteration;
    running_loss_ = archive.number("running_loss");
}

double FeatureTraining::held_out_error() {
    if (split_.held_out.size() == 0 || !network_->autoencoder()) return -1.0;
    torch::InferenceMode inference;
    network_->eval();
    double total = 0.0;
    const torch::Tensor& images = split_.held_out.images;
    for (int64_t start = 0; start < images.size(0); start += 256) {
        const torch::Tensor x = images.narrow(0, start, std::min<int64_t>(256, images.size(0) - start));
        total += torch::mse_loss(network_->reconstruct(x), x, at::Reduction::Sum).item<double>();
    }
    return total / static_cast<double>(images.numel());
}

double FeatureTraining::held_out_accuracy() {
    if (split_.held_out.size() == 0 || network_->autoencoder()) return -1.0;
    const FeatureOutputs out = features_of(network_, split_.held_out.images);
    return (out.logits.argmax(1) == split_.held_out.labels).to(torch::kFloat64).mean().item<double>();
}

void FeatureTraining::save_result(bool partial, double seconds) {
    facts_.held_out_accuracy = held_out_accuracy();
    facts_.held_out_error = held_out_error();
    if (split_.held_out.size() > 1)
        facts_.data_variance = (split_.held_out.images - split_.held_out.images.mean(0, true)).square().mean().item<double>();
    facts_.iterations = iteration_;
    facts_.seconds = seconds;
    facts_.partial = partial;
    if (!options_.out.empty()) save_feature_network(network_, facts_, options_.out);
}

}  // namespace irl
