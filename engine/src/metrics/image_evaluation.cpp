#include "irl/engine/metrics/image_evaluation.h"
#include "irl/engine/metrics/sampler_evaluation.h"

#include "irl/engine/metrics/sample_metrics.h"

#include <torch/torch.h>

namespace irl {

ImageScores score_images(FashionClassifier& classifier, const torch::Tensor& generated, const torch::Tensor& asked,
                         const torch::Tensor& real_features) {
    const ClassifierOutputs out = classify(classifier, generated.clamp(-1.0, 1.0));
    ImageScores scores;
    scores.predicted = out.logits.argmax(1);
    scores.fd = frechet_distance(out.features, real_features);
    const int64_t n = std::min(out.features.size(0), real_features.size(0));
    const PrecisionRecall pr = precision_recall(real_features.narrow(0, 0, n), out.features.narrow(0, 0, n), 3);
    scores.precision = pr.precision;
    scores.recall = pr.recall;
    if (asked.defined()) {
        const torch::Tensor conditional = asked >= 0;
        if (conditional.any().item<bool>())
            scores.class_accuracy =
                (scores.predicted.index({conditional}) == asked.index({conditional})).to(torch::kFloat64).mean().item<double>();
    }
    return scores;
}

SamplerEvaluation evaluate_sampler(Denoiser& denoiser, FashionClassifier& classifier, const torch::Tensor& real_features,
                                   const SamplerSettings& settings, const SampleRequest& request) {
    SamplerEvaluation evaluation;
    evaluation.result = sample(denoiser, settings, request);
    evaluation.scores = score_images(classifier, evaluation.result.samples, request.labels, real_features);
    return evaluation;
}

}  // namespace irl
