// What the built-in nodes share: reading typed inputs, parsing choice lists, pictures of a batch,
// and scoring images against real ones with the metrics classifier.
#pragma once

#include "builtin_values.h"

#include "irl/nodes/node_pack.h"

#include <QByteArray>
#include <QStringList>

#include <stdexcept>
#include <string>
#include <vector>

namespace irl {
struct ImageScores;       // irl/engine/metrics/image_evaluation.h
struct Testbed;           // irl/engine/learning/irl/sampler_comparison.h
struct TrainingSteering;  // irl/engine/learning/training_driver.h
}  // namespace irl

namespace irl::nodes::builtin {

template <typename T>
const T& input(const Values& inputs, const QString& port) {
    const auto it = inputs.constFind(port);
    if (it == inputs.constEnd() || !it->has_value()) throw std::runtime_error("the input '" + port.toStdString() + "' is empty");
    const T* value = std::any_cast<T>(&it.value());
    if (!value) throw std::runtime_error("the input '" + port.toStdString() + "' carries a value of another kind");
    return *value;
}

template <typename T>
const T* optional_input(const Values& inputs, const QString& port) {
    const auto it = inputs.constFind(port);
    return it == inputs.constEnd() ? nullptr : std::any_cast<T>(&it.value());
}

// The action connected to the input named after `kind`, or nullptr. A value of another kind there
// (a graph file edited by hand) is refused: each action port takes its own kind only.
const ActionValue* action_input(const Values& inputs, ActionKind kind);

// "1, 1.5,2" -> {1, 1.5, 2}; throws naming the part that is not a number.
std::vector<double> parse_choices(const QString& text);

QStringList as_qt(const std::vector<std::string>& names);
QByteArray as_bytes(const std::string& png);

// The picture of a batch for the window: a grid of up to 64 images, or a scatter plot of the
// points over the toy's true distribution.
QByteArray picture_of(const torch::Tensor& samples, const std::shared_ptr<GaussianMixture>& toy);

// Where a trainer node checkpoints: its Checkpoint parameter (a file in the output folder, written
// periodically and resumed), or <node>-checkpoint.pt there when it is empty (written on a stop, a
// cancel or a request from the window, never resumed by itself).
struct CheckpointPlace {
    QString path;
    bool named = false;
};
CheckpointPlace checkpoint_of(const QVariantMap& parameters, const RunContext& context, const QString& node_label);
// The window's pause, stop and checkpoint requests (context.training, when it is set) as the
// engine driver's steering, with the cancel token, and a notice when a requested checkpoint is written.
void steer_from_window(TrainingSteering& steering, RunContext& context);

// The dataset's images in the shape of the model's samples: converted as the Dataset node chose
// (crop or pad), with a notice saying what changed; toy points, and images of that shape already,
// as they are.
torch::Tensor data_in_model_shape(const DatasetValue& data, const DenoiserValue& model, RunContext& context);
// The dataset's images converted to `shape` likewise (toy points as they are).
torch::Tensor data_in_shape(const DatasetValue& data, const ImageShape& shape, RunContext& context);

// Whether samples of this shape can be scored: the bundled metrics classifier reads 1x28x28.
bool scorable(const std::vector<int64_t>& sample_shape);
// FD, precision, recall and class accuracy of images against real ones through the bundled
// metrics classifier: the cached Fashion-MNIST test features, or `reference`'s images.
ImageScores score_against(const torch::Tensor& images, const torch::Tensor& labels, const DatasetValue* reference);
// The engine's image testbed (FD first) for `count` samples against the same real features, the
// reference classified once and every scoring under the classifier's lock.
Testbed reference_testbed(Denoiser& denoiser, const DatasetValue* reference, int64_t count, std::vector<uint64_t> seeds,
                          const CancelToken* cancel);

}  // namespace irl::nodes::builtin
