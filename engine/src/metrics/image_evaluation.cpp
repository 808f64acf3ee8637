#include "irl/engine/metrics/image_evaluation.h"
#include "irl/engine/metrics/sampler_evaluation.h"

#include "irl/engine/metrics/feature_scores.h"

#include <torch/torch.h>

namespace irl {

ImageScores score_images(FashionClassifier& classifier, const torch::Tensor& generated, const torch::Tensor& asked,
                         const torch::Tensor& real_features) {
    const ClassifierOutputs out = classify(classifier, generated.clamp(-1.0, 1.0));
    return score_outputs(out.logits, out.features, asked, real_features);
}

SamplerEvaluation evaluate_sampler(Denoiser& denoiser, FashionClassifier& classifier, const torch::Tensor& real_features,
                                   const SamplerSettings& settings, const SampleRequest& request) {
    SamplerEvaluation evaluation;
    evaluation.result = sample(denoiser, settings, request);
    evaluation.scores = score_images(classifier, evaluation.result.samples, request.labels, real_features);
    return evaluation;
}

}  // namespace irl
