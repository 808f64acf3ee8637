// The built-in node evaluators: each turns its parameters and inputs into engine objects or
// runs an engine job, reporting progress, previews and numbers through the run context.
#include "builtin_pack.h"

#include "builtin_values.h"

#include "irl/engine/fashion_classifier.h"
#include "irl/engine/gaussian_mixture_denoiser.h"
#include "irl/engine/image_dataset.h"
#include "irl/engine/image_evaluation.h"
#include "irl/engine/irl_trainer.h"
#include "irl/engine/sample_metrics.h"
#include "irl/engine/png_text.h"
#include "irl/engine/random.h"
#include "irl/engine/resources.h"
#include "irl/engine/sampler.h"
#include "irl/engine/scatter_plot.h"
#include "irl/engine/schedule.h"
#include "irl/engine/toy_mixtures.h"
#include "irl/engine/torchscript_denoiser.h"
#include "irl/engine/unet_denoiser.h"

#include <QDir>
#include <QFileInfo>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace irl::nodes::builtin {
namespace {

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

// Scores images against real ones: the cached test features unless a reference dataset is given.
ImageScores score_against(const torch::Tensor& images, const torch::Tensor& labels, const DatasetValue* reference) {
    RealFeatures& real = real_features();
    static std::mutex classifier_mutex;  // the classifier module is not re-entrant
    std::lock_guard<std::mutex> lock(classifier_mutex);
    // As many real images as samples (at least 1000): only those are classified.
    const int64_t wanted = std::max<int64_t>(1000, images.size(0));
    const torch::Tensor features =
        reference ? classify(real.classifier, reference->data.narrow(0, 0, std::min<int64_t>(reference->data.size(0), wanted))).features
                  : real.test_features.narrow(0, 0, std::min<int64_t>(real.test_features.size(0), wanted));
    return score_images(real.classifier, images, labels, features);
}

QByteArray as_bytes(const std::string& png) { return QByteArray(png.data(), static_cast<qsizetype>(png.size())); }

// The pictures of a batch for the window: a grid of up to 64 images, or a scatter plot of the
// points over the toy's true distribution.
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

class DenoiserNode : public NodeEvaluator {
public:
    Values evaluate(const Values&, const QVariantMap& p, RunContext&) override {
        DenoiserValue value;
        const QString source = p.value("source").toString();
        if (source == "toy") {
            auto mixture = std::make_shared<GaussianMixture>(make_toy_mixture(p.value("toy").toString().toStdString()));
            value.toy = mixture;
            value.denoiser = std::make_shared<GaussianMixtureDenoiser>(*mixture, "toy:" + p.value("toy").toString().toStdString());
        } else if (source == "torchscript") {
            const QString file = p.value("file").toString();
            if (file.isEmpty()) throw std::runtime_error("choose a TorchScript file");
            value.denoiser = std::shared_ptr<Denoiser>(TorchScriptDenoiser::load(file.toStdString()));
        } else {
            value.denoiser = std::shared_ptr<Denoiser>(UnetDenoiser::load(find_resource("models/fashion-unet.pt")));
        }
        return {{"denoiser", value}};
    }
};

class ScheduleNode : public NodeEvaluator {
public:
    Values evaluate(const Values&, const QVariantMap& p, RunContext&) override {
        const int steps = p.value("steps").toInt();
        const double lo = p.value("sigma_min").toDouble(), hi = p.value("sigma_max").toDouble();
        ScheduleValue value;
        value.sigmas = p.value("kind").toString() == "exponential" ? exponential_schedule(steps, lo, hi)
                                                                   : karras_schedule(steps, lo, hi, p.value("rho").toDouble());
        return {{"schedule", value}};
    }
};

class ActionNode : public NodeEvaluator {
public:
    explicit ActionNode(QString component) : component_(std::move(component)) {}
    Values evaluate(const Values&, const QVariantMap& p, RunContext&) override {
        ActionValue value{component_, p.value("value").toDouble(), parse_choices(p.value("choices").toString()),
                          p.value("sigma_min").toDouble(), p.value("sigma_max").toDouble()};
        if (value.sigma_min > value.sigma_max) throw std::runtime_error("Policy from σ is above Policy to σ");
        return {{"action", value}};
    }

private:
    QString component_;
};

class SamplerNode : public NodeEvaluator {
public:
    Values evaluate(const Values& in, const QVariantMap& p, RunContext& context) override {
        const DenoiserValue& model = input<DenoiserValue>(in, "denoiser");
        const ScheduleValue& schedule = input<ScheduleValue>(in, "schedule");
        SamplerSettings settings;
        settings.solver = solver_from_string(p.value("solver").toString().toStdString());
        settings.sigmas = schedule.sigmas;
        settings.renoise_cap = p.value("renoise_cap").toLongLong();
        for (const QString port : {"guidance", "churn", "renoise", "stochasticity"}) {
            const ActionValue* action = optional_input<ActionValue>(in, port);
            if (!action) continue;
            if (action->component == "guidance") settings.fixed.guidance = action->value;
            else if (action->component == "churn") settings.fixed.churn = action->value;
            else if (action->component == "renoise") settings.fixed.renoise = static_cast<int64_t>(action->value);
            else if (action->component == "lambda") settings.fixed.lambda = action->value;
        }
        SampleRequest request;
        request.count = p.value("count").toLongLong();
        request.seed = static_cast<uint64_t>(p.value("seed").toLongLong());
        request.cancel = context.cancel;
        const int64_t classes = model.denoiser->num_classes();
        const int64_t label = p.value("class").toLongLong();
        if (label >= 0) {
            if (label >= classes)
                throw std::runtime_error("class " + std::to_string(label) + " is out of range: the denoiser has " +
                                         std::to_string(classes) + " classes");
            request.labels = torch::full({request.count}, label, torch::kInt64);
        } else if (label == -1 && classes > 0 && !model.toy) {
            request.labels = torch::arange(request.count, torch::kInt64) % classes;
        }
        if (settings.fixed.guidance != 1.0 && !request.labels.defined())
            throw std::runtime_error("guidance needs a class: set the Sampler's class, or use a class-conditional denoiser");
        const int levels = static_cast<int>(settings.sigmas.size()) - 1;
        request.preview_interval_ms = 100;
        const QString node = context.node;
        request.on_step = [&](const StepPreview& step) {
            if (context.progress) context.progress(node, double(step.iteration) / levels, QString());
            if (!context.preview) return;
            NodePreview preview;
            preview.node = node;
            preview.step = static_cast<int>(step.iteration);
            preview.total = levels;
            preview.payload = step;
            preview.kind = "sampling";
            const double sigma = step.sigma.numel() ? step.sigma.max().item<double>() : 0.0;
            preview.numbers.insert("sigma", sigma);
            // x_t scaled to unit variance so that the noisy state reads as an image at every level.
            const torch::Tensor shown = step.x.dim() == 2 ? step.x : step.x / std::sqrt(1.0 + sigma * sigma);
            preview.pictures.insert("x", picture_of(shown, model.toy));
            preview.pictures.insert("denoised", picture_of(step.denoised, model.toy));
            context.preview(preview);
        };
        SampleResult result;
        if (const PolicyValue* policy = optional_input<PolicyValue>(in, "policy")) {
            const std::string differences = policy->setup.differences(PolicySetup::of(*model.denoiser, settings));
            if (!differences.empty()) throw std::runtime_error("the policy was trained for another setup:\n" + differences);
            result = rollout_policy(*model.denoiser, *policy->policy, settings, request, policy->temperature, false).result;
        } else {
            result = sample(*model.denoiser, settings, request);
        }
        if (context.report) {
            context.report(node, "nfe", result.nfe);
            context.report(node, "sampling_seconds", result.seconds);
        }
        ImagesValue images{result.samples, request.labels.defined() ? request.labels : torch::full({request.count}, int64_t(-1)),
                           result.nfe, model.toy};
        return {{"images", images}};
    }
};

class PolicyNode : public NodeEvaluator {
public:
    Values evaluate(const Values&, const QVariantMap& p, RunContext&) override {
        const QString file = p.value("file").toString();
        if (file.isEmpty()) throw std::runtime_error("choose a policy file");
        const LoadedPolicy loaded = load_policy(file.toStdString());
        return {{"policy", PolicyValue{loaded.policy, loaded.setup, p.value("temperature").toDouble()}}};
    }
};

class IrlTrainerNode : public NodeEvaluator {
public:
    Values evaluate(const Values& in, const QVariantMap& p, RunContext& context) override {
        const DenoiserValue& model = input<DenoiserValue>(in, "denoiser");
        const ScheduleValue& schedule = input<ScheduleValue>(in, "schedule");
        const DatasetValue& expert = input<DatasetValue>(in, "expert");
        IrlOptions options;
        options.sampler.solver = solver_from_string(p.value("solver").toString().toStdString());
        options.sampler.sigmas = schedule.sigmas;
        options.divergence = {divergence_from_string(p.value("divergence").toString().toStdString()), p.value("lambda").toDouble()};
        options.batch = p.value("batch").toLongLong();
        options.policy_lr = p.value("policy_lr").toDouble();
        options.entropy_bonus = p.value("entropy").toDouble();
        options.nfe_cost = p.value("nfe_cost").toDouble();
        options.seed = static_cast<uint64_t>(p.value("seed").toLongLong());
        options.discriminator_steps = p.value("discriminator_steps").toLongLong();
        options.sampler.renoise_cap = p.value("renoise_cap").toLongLong();
        options.conditional = !model.toy && p.value("labels").toString() != "unconditional";
        ActionSpace space;
        for (const QString port : {"guidance", "churn", "renoise", "stochasticity"}) {
            const ActionValue* action = optional_input<ActionValue>(in, port);
            if (!action) continue;
            space.components.push_back(
                {action_kind_from_string(action->component.toStdString()), action->choices, action->sigma_min, action->sigma_max});
        }
        if (space.components.empty()) throw std::runtime_error("connect at least one action (its choices are what the policy learns)");
        const int64_t levels = static_cast<int64_t>(schedule.sigmas.size()) - 1;
        std::shared_ptr<Policy> policy;
        if (p.value("policy").toString() == "network")
            policy = std::make_shared<NetworkPolicy>(space, levels, model.denoiser->sample_shape(), model.denoiser->num_classes(), 64,
                                                     options.seed);
        else
            policy = std::make_shared<TablePolicy>(space, levels);
        IrlTrainer trainer(*model.denoiser, policy, expert.data, options);
        const PolicySetup setup = PolicySetup::of(*model.denoiser, options.sampler);
        // The checkpoint: where training resumes from after a stop, a crash or a cancel.
        const QString checkpoint_name = p.value("checkpoint").toString();
        const QString checkpoint = checkpoint_name.isEmpty() ? QString()
                                   : QFileInfo(checkpoint_name).isAbsolute() ? checkpoint_name
                                                                              : QDir(context.output_dir).filePath(checkpoint_name);
        if (!checkpoint.isEmpty()) QDir().mkpath(QFileInfo(checkpoint).absolutePath());
        if (!checkpoint.isEmpty() && p.value("resume").toBool() && QFileInfo::exists(checkpoint))
            trainer.load_checkpoint(checkpoint.toStdString(), setup.to_json());
        auto save_checkpoint = [&] {
            const QString path = checkpoint.isEmpty() ? QDir(context.output_dir).filePath(context.node + "-checkpoint.pt") : checkpoint;
            trainer.save_checkpoint(path.toStdString(), setup.to_json());
        };

        const int64_t iterations = p.value("iterations").toLongLong();
        const int64_t eval_every = p.value("eval_every").toLongLong();
        const int64_t eval_count = p.value("eval_count").toLongLong();
        TrainingControl* control = context.training;
        IrlIteration last;
        QVariantMap last_metrics;
        while (trainer.iterations() < iterations) {
            while (control && control->paused && !(context.cancel && context.cancel->cancelled()) && !control->stop) {
                if (control->checkpoint_requests.exchange(0) > 0) save_checkpoint();
                std::this_thread::sleep_for(std::chrono::milliseconds(30));
            }
            if (context.cancel) context.cancel->throw_if_cancelled();
            if (control && control->stop) break;
            last = trainer.iterate(context.cancel);
            const bool evaluate_now = eval_every > 0 && (last.iteration % eval_every == 0 || last.iteration == iterations);
            NodePreview preview;
            preview.node = context.node;
            preview.step = static_cast<int>(last.iteration);
            preview.total = static_cast<int>(iterations);
            preview.kind = "training";
            preview.numbers = {{"iteration", double(last.iteration)},
                               {"discriminator_loss", last.discriminator_loss},
                               {"discriminator_accuracy", last.discriminator_accuracy},
                               {"mean_reward", last.mean_reward},
                               {"entropy", last.entropy},
                               {"nfe", last.nfe},
                               {"training_evaluations", double(trainer.total_evaluations())}};
            for (size_t c = 0; c < space.components.size(); ++c) {
                QVariantList choices, rows, active;
                for (double v : space.components[c].choices) choices << v;
                const torch::Tensor probabilities = last.action_probabilities[c].contiguous();
                for (int64_t level = 0; level < probabilities.size(0); ++level) {
                    QVariantList row;
                    for (int64_t k = 0; k < probabilities.size(1); ++k) row << probabilities[level][k].item<double>();
                    rows << QVariant(row);
                    // Outside the component's noise-level range the policy does not choose.
                    const double sigma = schedule.sigmas[static_cast<size_t>(level)];
                    active << (sigma >= space.components[c].sigma_min && sigma <= space.components[c].sigma_max);
                }
                preview.tables.insert(QString::fromStdString(to_string(space.components[c].kind)),
                                      QVariantMap{{"choices", choices}, {"probabilities", rows}, {"active", active}});
            }
            if (evaluate_now) {
                const SampleResult samples = trainer.sample_greedy(eval_count, 4242, context.cancel);
                last_metrics = policy_metrics(samples, model, &expert);
                for (auto it = last_metrics.begin(); it != last_metrics.end(); ++it) preview.numbers.insert(it.key(), it.value());
                preview.pictures.insert("samples", picture_of(samples.samples, model.toy));
                if (!checkpoint.isEmpty()) save_checkpoint();
            }
            if (control && control->checkpoint_requests.exchange(0) > 0) save_checkpoint();
            if (context.preview) context.preview(preview);
            if (context.progress) context.progress(context.node, double(last.iteration) / double(iterations), QString());
        }
        if (!checkpoint.isEmpty()) save_checkpoint();
        {
            // Always written, so that a Policy node can load what was learned: "Save as", or
            // <node>-policy.pt in the run's output folder.
            const QString save = p.value("save").toString().isEmpty() ? context.node + "-policy.pt" : p.value("save").toString();
            const QString path = QFileInfo(save).isAbsolute() ? save : QDir(context.output_dir).filePath(save);
            QDir().mkpath(QFileInfo(path).absolutePath());
            save_policy(*policy, setup, path.toStdString());
        }
        if (context.report) {
            context.report(context.node, "iterations", static_cast<double>(trainer.iterations()));
            context.report(context.node, "discriminator_accuracy", last.discriminator_accuracy);
            context.report(context.node, "mean_reward", last.mean_reward);
            context.report(context.node, "entropy", last.entropy);
            context.report(context.node, "training_evaluations", static_cast<double>(trainer.total_evaluations()));
            for (auto it = last_metrics.begin(); it != last_metrics.end(); ++it) context.report(context.node, it.key(), it.value().toDouble());
        }
        return {{"policy", PolicyValue{policy, setup, 0.0}}};
    }

private:
    // Toys: exact mean log density under the true data and FD against fresh true samples.
    // Images: FD, precision and recall against the expert data through the metrics classifier.
    static QVariantMap policy_metrics(const SampleResult& samples, const DenoiserValue& model, const DatasetValue* expert) {
        QVariantMap numbers;
        if (model.toy) {
            const torch::Tensor tiny = torch::full({samples.samples.size(0)}, 1e-3, torch::kFloat64);
            numbers.insert("mean_log_density", model.toy->log_density(samples.samples, tiny).mean().item<double>());
            at::Generator g = make_generator(777);
            numbers.insert("fd", frechet_distance(samples.samples, model.toy->sample(std::max<int64_t>(1000, samples.samples.size(0)), g)));
        } else {
            const ImageScores scores = score_against(samples.samples, torch::full({samples.samples.size(0)}, int64_t(-1)), expert);
            numbers.insert("fd", scores.fd);
            numbers.insert("precision", scores.precision);
            numbers.insert("recall", scores.recall);
        }
        numbers.insert("eval_nfe", samples.nfe);
        return numbers;
    }
};

class SaveImageNode : public NodeEvaluator {
public:
    Values evaluate(const Values& in, const QVariantMap& p, RunContext& context) override {
        const ImagesValue& images = input<ImagesValue>(in, "images");
        const QString name = p.value("path").toString();
        if (name.isEmpty()) throw std::runtime_error("the file name is empty");
        const QString path = QFileInfo(name).isAbsolute() ? name : QDir(context.output_dir).filePath(name);
        if (!QDir().mkpath(QFileInfo(path).absolutePath()))
            throw std::runtime_error("cannot create the folder of '" + path.toStdString() + "'");
        std::string png;
        if (images.points()) {
            torch::Tensor reference;
            if (images.toy) {
                at::Generator g = make_generator(1);
                reference = images.toy->sample(std::min<int64_t>(4000, images.samples.size(0)), g);
            }
            png = encode_scatter_png(images.samples, reference, {});
        } else {
            png = encode_image_grid_png(images.samples, p.value("columns").toInt(), 2);
        }
        if (!context.graph_json.isEmpty()) png = add_png_text(png, "irlstudio-graph", context.graph_json.toStdString());
        write_file_atomically(path.toStdString(), png);
        if (context.report) context.report(context.node, "written", 1.0);
        return {};
    }
};

class PreviewNode : public NodeEvaluator {
public:
    Values evaluate(const Values& in, const QVariantMap&, RunContext& context) override {
        const ImagesValue& images = input<ImagesValue>(in, "images");
        if (context.report) context.report(context.node, "images", static_cast<double>(images.samples.size(0)));
        return {};
    }
};

class DatasetNode : public NodeEvaluator {
public:
    Values evaluate(const Values&, const QVariantMap& p, RunContext&) override {
        const QString source = p.value("source").toString();
        DatasetValue value;
        if (source == "toy") {
            const GaussianMixture mixture = make_toy_mixture(p.value("toy").toString().toStdString());
            at::Generator g = make_generator(0);
            value.data = mixture.sample(p.value("count").toLongLong(), g, -1, &value.labels);
            for (int64_t c = 0; c < mixture.num_classes(); ++c) value.class_names.push_back("mode " + std::to_string(c));
            value.source = "toy:" + p.value("toy").toString().toStdString();
            return {{"dataset", value}};
        }
        ImageDataset data;
        if (source == "image-folder") {
            const QString folder = p.value("folder").toString();
            if (folder.isEmpty()) throw std::runtime_error("choose an image folder");
            ImageFolderReport report;
            data = load_image_folder(folder.toStdString(), 1, 28, &report);
        } else {
            data = load_fashion_mnist(p.value("split").toString().toStdString());
        }
        const std::vector<double> classes = parse_choices(p.value("classes").toString());
        if (!classes.empty()) data = data.filtered(std::vector<int64_t>(classes.begin(), classes.end()));
        value.data = data.images;
        value.labels = data.labels;
        value.class_names = data.class_names;
        value.source = data.source;
        return {{"dataset", value}};
    }
};

class EvaluateNode : public NodeEvaluator {
public:
    Values evaluate(const Values& in, const QVariantMap&, RunContext& context) override {
        const ImagesValue& images = input<ImagesValue>(in, "images");
        const DatasetValue* reference = optional_input<DatasetValue>(in, "reference");
        MetricsValue metrics;
        if (images.points()) {
            if (!images.toy) throw std::runtime_error("Evaluate: points need the toy's exact data (use a toy Denoiser)");
            // Exact: the mean log density of the samples under the clean toy data, and FD in the plane.
            const torch::Tensor tiny = torch::full({images.samples.size(0)}, 1e-3, torch::kFloat64);
            metrics.numbers.insert("mean_log_density", images.toy->log_density(images.samples, tiny).mean().item<double>());
            at::Generator g = make_generator(12345);
            const torch::Tensor truth = reference ? reference->data : images.toy->sample(images.samples.size(0), g);
            metrics.numbers.insert("fd", frechet_distance(images.samples, truth));
        } else {
            const ImageScores scores = score_against(images.samples, images.labels, reference);
            metrics.numbers.insert("fd", scores.fd);
            metrics.numbers.insert("precision", scores.precision);
            metrics.numbers.insert("recall", scores.recall);
            if (scores.class_accuracy >= 0) metrics.numbers.insert("class_accuracy", scores.class_accuracy);
        }
        metrics.numbers.insert("nfe", images.nfe);
        if (context.report)
            for (auto it = metrics.numbers.begin(); it != metrics.numbers.end(); ++it)
                if (it.key() != "nfe") context.report(context.node, it.key(), it.value().toDouble());
        return {{"metrics", metrics}};
    }
};

}  // namespace

std::unique_ptr<NodeEvaluator> BuiltinPack::create(const QString& type) const {
    if (type == "irl.denoiser") return std::make_unique<DenoiserNode>();
    if (type == "irl.schedule") return std::make_unique<ScheduleNode>();
    if (type == "irl.guidance") return std::make_unique<ActionNode>("guidance");
    if (type == "irl.churn") return std::make_unique<ActionNode>("churn");
    if (type == "irl.renoise") return std::make_unique<ActionNode>("renoise");
    if (type == "irl.stochasticity") return std::make_unique<ActionNode>("lambda");
    if (type == "irl.sampler") return std::make_unique<SamplerNode>();
    if (type == "irl.save_image") return std::make_unique<SaveImageNode>();
    if (type == "irl.preview") return std::make_unique<PreviewNode>();
    if (type == "irl.dataset") return std::make_unique<DatasetNode>();
    if (type == "irl.policy") return std::make_unique<PolicyNode>();
    if (type == "irl.irl_trainer") return std::make_unique<IrlTrainerNode>();
    if (type == "irl.evaluate") return std::make_unique<EvaluateNode>();
    return nullptr;
}

}  // namespace irl::nodes::builtin
