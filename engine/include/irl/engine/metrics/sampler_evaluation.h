// A sampler scored in one call: its samples, their function evaluations and time, and the image
// scores of image_evaluation.h (implemented in image_evaluation.cpp).
#pragma once

#include "irl/engine/metrics/image_evaluation.h"
#include "irl/engine/sampling/sampler.h"

namespace irl {

struct SamplerEvaluation {
    ImageScores scores;
    SampleResult result;  // the samples, function evaluations and sampling time
};

// Samples with `settings` and scores the images against `real_features`.
SamplerEvaluation evaluate_sampler(Denoiser& denoiser, FashionClassifier& classifier, const torch::Tensor& real_features,
                                   const SamplerSettings& settings, const SampleRequest& request);

}  // namespace irl
