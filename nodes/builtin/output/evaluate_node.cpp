#include "evaluate_node.h"

#include "node_support.h"

#include "irl/engine/core/random.h"
#include "irl/engine/metrics/image_evaluation.h"
#include "irl/engine/metrics/sample_metrics.h"

#include <torch/torch.h>

namespace irl::nodes::builtin {

NodeTypeInfo EvaluateNode::declaration() {
    NodeTypeInfo t{"irl.evaluate", "Evaluate", "Output",
                   "Scores samples: FD, precision, recall and class accuracy (images), exact log density (toys)",
                   {{"images", ports::images}, {"reference", ports::dataset, "Real data (default: Fashion-MNIST test)", true}},
                   {{"metrics", ports::metrics}}, {}};
    t.is_output = true;
    return t;
}

Values EvaluateNode::evaluate(const Values& in, const QVariantMap&, RunContext& context) {
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
    } else if (!scorable(std::vector<int64_t>(images.samples.sizes().begin() + 1, images.samples.sizes().end()))) {
        // The bundled classifier reads 1x28x28 only: say so, and keep the run going.
        if (context.notice)
            context.notice(context.node, QString("FD, precision and recall are measured with the bundled Fashion-MNIST classifier, "
                                                 "on 1x28x28 images only so far; these samples are %1x%2x%3, so only their NFE is reported")
                                             .arg(images.samples.size(1))
                                             .arg(images.samples.size(2))
                                             .arg(images.samples.size(3)));
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

}  // namespace irl::nodes::builtin
