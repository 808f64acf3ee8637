#include "evaluate_node.h"

#include "node_support.h"

#include "irl/engine/core/random.h"
#include "irl/engine/metrics/feature_scores.h"
#include "irl/engine/metrics/image_evaluation.h"
#include "irl/engine/metrics/sample_metrics.h"

#include <torch/torch.h>

#include <filesystem>

namespace irl::nodes::builtin {

NodeTypeInfo EvaluateNode::declaration() {
    NodeTypeInfo t{"irl.evaluate", "Evaluate", "Output",
                   "Scores samples: FD, precision, recall and class accuracy (images), exact log density (toys)",
                   {{"images", ports::images}, {"reference", ports::dataset, "Real data (default: Fashion-MNIST test)", true}},
                   {{"metrics", ports::metrics}},
                   {ParameterSchema::file("features", "Features", "Feature networks (*.features *.pt)",
                                          "The network whose features and classes score images (a file of irlstudio-cli "
                                          "train-features); empty: FOLDER.features next to the reference's folder if there is "
                                          "one, else the bundled Fashion-MNIST classifier for 1x28x28 images")}};
    t.is_output = true;
    return t;
}

Values EvaluateNode::evaluate(const Values& in, const QVariantMap& p, RunContext& context) {
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
        const std::vector<int64_t> sizes(images.samples.sizes().begin() + 1, images.samples.sizes().end());
        const ImageShape shape = image_shape_of(sizes);
        // Which features judge: the parameter, else the network next to the reference's folder,
        // else the bundled classifier (1x28x28); the notice says which.
        std::string file = p.value("features").toString().toStdString(), why = "the Features parameter";
        if (file.empty() && reference) {
            const std::string next_to = features_file_for_source(reference->source);
            if (!next_to.empty() && std::filesystem::exists(next_to)) file = next_to, why = "next to the reference's folder";
        }
        ImageScores scores;
        if (!file.empty()) {
            FeatureFile judge = load_feature_network(file, shape);
            if (!reference)
                throw std::runtime_error("the feature network '" + file + "' compares samples with real pictures: link a Dataset of them to "
                                         "the reference input");
            const torch::Tensor real = data_in_shape(*reference, shape, context);
            // Class accuracy only where the asked class is one of the network's.
            const torch::Tensor asked = torch::where(images.labels < judge.network->classes(), images.labels, torch::full_like(images.labels, -1));
            scores = score_images(judge.network, images.samples, asked, features_of(judge.network, real).features);
            if (context.notice) {
                const FeatureFacts& f = judge.facts;
                const QString how = judge.network->autoencoder()
                                        ? QString("an autoencoder, held-out reconstruction error %1").arg(f.held_out_error, 0, 'g', 3)
                                        : QString("%1 classes, held-out accuracy %2")
                                              .arg(judge.network->classes())
                                              .arg(f.held_out_accuracy < 0 ? QString("not measured")
                                                                           : QString::number(100.0 * f.held_out_accuracy, 'f', 1) + " %");
                context.notice(context.node, QString("scored with the features of %1 (%2; %3)")
                                                 .arg(QString::fromStdString(file), QString::fromStdString(why), how));
            }
        } else if (scorable(sizes)) {
            scores = score_against(images.samples, images.labels, reference);
            if (context.notice) context.notice(context.node, "scored with the bundled Fashion-MNIST classifier");
        } else {
            if (context.notice)
                context.notice(context.node, QString("no feature network for %1 pictures, so only the NFE is reported: train one with "
                                                     "irlstudio-cli train-features --folder DIR --shape %1 (it writes DIR.features, which "
                                                     "Evaluate finds when the reference comes from DIR), or set the Features parameter")
                                                 .arg(QString::fromStdString(shape.text())));
            scores.fd = -1.0;
        }
        if (scores.fd >= 0.0) {
            metrics.numbers.insert("fd", scores.fd);
            metrics.numbers.insert("precision", scores.precision);
            metrics.numbers.insert("recall", scores.recall);
            if (scores.class_accuracy >= 0) metrics.numbers.insert("class_accuracy", scores.class_accuracy);
        }
    }
    metrics.numbers.insert("nfe", images.nfe);
    if (context.report)
        for (auto it = metrics.numbers.begin(); it != metrics.numbers.end(); ++it)
            if (it.key() != "nfe") context.report(context.node, it.key(), it.value().toDouble());
    return {{"metrics", metrics}};
}

}  // namespace irl::nodes::builtin
