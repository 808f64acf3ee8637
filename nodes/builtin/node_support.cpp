#include "node_support.h"

#include "irl/engine/core/random.h"
#include "irl/engine/core/resources.h"
#include "irl/engine/data/image_dataset.h"
#include "irl/engine/io/pictures.h"
#include "irl/engine/learning/irl/sampler_comparison.h"
#include "irl/engine/learning/training_driver.h"
#include "irl/engine/metrics/image_evaluation.h"
#include "irl/engine/models/fashion_classifier.h"
#include "irl/nodes/output_paths.h"

#include <torch/torch.h>

#include <cmath>
#include <mutex>

namespace irl::nodes::builtin {
namespace {

// The metrics classifier and the features of the real test images, loaded once per process
// (nodes run on the engine thread; tests and the CLI may run several executors).
struct RealFeatures {
    FashionClassifier classifier{nullptr};
    torch::Tensor test_features;  // [10000, 128] of the Fashion-MNIST test split
};

RealFeatures& real_features() {
    static std::mutex mutex;
    static std::unique_ptr<RealFeatures> cached;
    std::lock_guard<std::mutex> lock(mutex);
    if (!cached) {
        auto loaded = std::make_unique<RealFeatures>();
        loaded->classifier = load_classifier(find_resource("models/fashion-classifier.pt"));
        loaded->test_features = classify(loaded->classifier, load_fashion_mnist("test").images).features;
        cached = std::move(loaded);
    }
    return *cached;
}

// The classifier module is not re-entrant.
std::mutex& classifier_mutex() {
    static std::mutex mutex;
    return mutex;
}

// As many real images' features as samples (at least 1000): the reference's, classified now
// (call under the classifier's lock), or the cached test features.
torch::Tensor features_against(RealFeatures& real, const DatasetValue* reference, int64_t samples) {
    const int64_t wanted = std::max<int64_t>(1000, samples);
    return reference ? classify(real.classifier, reference->data.narrow(0, 0, std::min<int64_t>(reference->data.size(0), wanted))).features
                     : real.test_features.narrow(0, 0, std::min<int64_t>(real.test_features.size(0), wanted));
}

}  // namespace

const ActionValue* action_input(const Values& inputs, ActionKind kind) {
    const ActionValue* action = optional_input<ActionValue>(inputs, action_port_name(kind));
    if (action && action->kind != kind)
        throw std::runtime_error("the input '" + action_port_name(kind).toStdString() + "' takes a " + to_string(kind) +
                                 " action, not a " + to_string(action->kind) + " one");
    return action;
}

std::vector<double> parse_choices(const QString& text) {
    std::vector<double> values;
    for (const QString& part : text.split(',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const double v = part.trimmed().toDouble(&ok);
        if (!ok) throw std::runtime_error("choices: \"" + part.trimmed().toStdString() + "\" is not a number");
        values.push_back(v);
    }
    return values;
}

QStringList as_qt(const std::vector<std::string>& names) {
    QStringList out;
    for (const auto& n : names) out << QString::fromStdString(n);
    return out;
}

QByteArray as_bytes(const std::string& png) { return QByteArray(png.data(), static_cast<qsizetype>(png.size())); }

QByteArray picture_of(const torch::Tensor& samples, const std::shared_ptr<GaussianMixture>& toy) {
    if (samples.dim() == 2) {
        torch::Tensor reference;
        if (toy) {
            at::Generator g = make_generator(1);
            reference = toy->sample(2000, g);
        }
        ScatterPlotOptions options;
        options.size = 360;
        options.dark = true;
        return as_bytes(encode_scatter_png(samples.narrow(0, 0, std::min<int64_t>(samples.size(0), 2000)), reference, options));
    }
    const int64_t n = std::min<int64_t>(samples.size(0), 64);
    const int columns = static_cast<int>(std::ceil(std::sqrt(double(n))));
    return as_bytes(encode_image_grid_png(samples.narrow(0, 0, n), columns, 1));
}

torch::Tensor data_in_model_shape(const DatasetValue& data, const DenoiserValue& model, RunContext& context) {
    if (model.toy) return data.data;
    return data_in_shape(data, image_shape_of(model.denoiser->sample_shape()), context);
}

torch::Tensor data_in_shape(const DatasetValue& data, const ImageShape& shape, RunContext& context) {
    if (data.data.dim() != 4) return data.data;
    ConversionNotes converted;
    torch::Tensor images = convert_images(data.data, shape, data.fit, &converted);
    const std::string note = converted.sentence(shape, data.fit);
    if (!note.empty() && context.notice) context.notice(context.node, QString::fromStdString("the data for the model: " + note));
    return images;
}

bool scorable(const std::vector<int64_t>& sample_shape) { return sample_shape == std::vector<int64_t>{1, 28, 28}; }

ImageScores score_against(const torch::Tensor& images, const torch::Tensor& labels, const DatasetValue* reference) {
    const std::vector<int64_t> shape(images.sizes().begin() + 1, images.sizes().end());
    if (!scorable(shape) || (reference && reference->data.sizes().slice(1) != images.sizes().slice(1))) {
        const std::string of = images.dim() == 4 ? ImageShape{images.size(1), images.size(2), images.size(3)}.text() : "these";
        throw std::runtime_error("FD, precision and recall are measured with the bundled Fashion-MNIST classifier, on 1x28x28 "
                                 "images only so far, and these samples are " + of);
    }
    RealFeatures& real = real_features();
    std::lock_guard<std::mutex> lock(classifier_mutex());
    return score_images(real.classifier, images, labels, features_against(real, reference, images.size(0)));
}

Testbed reference_testbed(Denoiser& denoiser, const DatasetValue* reference, int64_t count, std::vector<uint64_t> seeds,
                          const CancelToken* cancel) {
    if (!scorable(denoiser.sample_shape()))
        throw std::runtime_error("schedules are scored by FD with the bundled Fashion-MNIST classifier, on 1x28x28 images only "
                                 "so far, and this denoiser's samples are " + image_shape_of(denoiser.sample_shape()).text());
    RealFeatures& real = real_features();
    torch::Tensor features;
    {
        std::lock_guard<std::mutex> lock(classifier_mutex());
        features = features_against(real, reference, count);
    }
    Testbed testbed = image_testbed(denoiser, real.classifier, features, count, std::move(seeds), cancel);
    testbed.metrics = [scored = testbed.metrics](const torch::Tensor& samples, const torch::Tensor& labels) {
        std::lock_guard<std::mutex> lock(classifier_mutex());
        return scored(samples, labels);
    };
    return testbed;
}

CheckpointPlace checkpoint_of(const QVariantMap& parameters, const RunContext& context, const QString& node_label) {
    const QString name = parameters.value("checkpoint").toString();
    if (name.isEmpty()) return {output_path(context.output_dir, context.node + "-checkpoint.pt", "the checkpoint file name"), false};
    return {output_path(context.output_dir, name, "the " + node_label + "'s checkpoint file name"), true};
}

void steer_from_window(TrainingSteering& steering, RunContext& context) {
    steering.cancel = context.cancel;
    if (TrainingControl* window = context.training) {
        steering.paused = [window] { return window->paused.load(); };
        steering.stop = [window] { return window->stop.load(); };
        steering.checkpoint_requested = [window] { return window->checkpoint_requests.exchange(0) > 0; };
    }
    // Asked for from the window: written, and said where.
    steering.checkpoint_written = [&context](const std::string& path, int64_t iteration) {
        if (context.notice)
            context.notice(context.node, QString("checkpoint of iteration %1 written to %2").arg(iteration).arg(QString::fromStdString(path)));
    };
}

}  // namespace irl::nodes::builtin
