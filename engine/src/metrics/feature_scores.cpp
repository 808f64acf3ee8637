#include "irl/engine/metrics/feature_scores.h"

#include "irl/engine/metrics/sample_metrics.h"

#include <torch/torch.h>

namespace irl {

ImageScores score_outputs(const torch::Tensor& logits, const torch::Tensor& features, const torch::Tensor& asked,
                          const torch::Tensor& real_features) {
    ImageScores scores;
    // An autoencoder has no classes: FD, precision and recall only.
    if (logits.size(1) > 0) scores.predicted = logits.argmax(1);
    scores.fd = frechet_distance(features, real_features);
    const int64_t n = std::min(features.size(0), real_features.size(0));
    const PrecisionRecall pr = precision_recall(real_features.narrow(0, 0, n), features.narrow(0, 0, n), 3);
    scores.precision = pr.precision;
    scores.recall = pr.recall;
    if (asked.defined() && scores.predicted.defined()) {
        const torch::Tensor conditional = asked >= 0;
        if (conditional.any().item<bool>())
            scores.class_accuracy =
                (scores.predicted.index({conditional}) == asked.index({conditional})).to(torch::kFloat64).mean().item<double>();
    }
    return scores;
}

ImageScores score_images(FeatureNetwork& network, const torch::Tensor& generated, const torch::Tensor& asked,
                         const torch::Tensor& real_features) {
    const FeatureOutputs out = features_of(network, generated.clamp(-1.0, 1.0));
    return score_outputs(out.logits, out.features, asked, real_features);
}

}  // namespace irl
