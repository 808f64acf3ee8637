// Scores generated images against real ones with the metrics classifier: Frechet distance,
// k-NN precision/recall on its features, and how often it sees the class that was asked for.
// Sampling and scoring in one call: sampler_evaluation.h.
#pragma once

#include "irl/engine/models/fashion_classifier.h"

#include <torch/types.h>

namespace irl {

struct ImageScores {
    double fd = 0.0;
    double precision = 0.0;
    double recall = 0.0;
    double class_accuracy = -1.0;  // -1 when no sample asked for a class
    torch::Tensor predicted;       // [N] classifier's class of each generated image
};

// generated [N, 1, 28, 28] (clamped to [-1, 1] here), asked [N] labels (-1 = unconditional),
// real_features [M, 128] from classify() on real images. Precision and recall use
// min(N, M) points of each side, k = 3.
ImageScores score_images(FashionClassifier& classifier, const torch::Tensor& generated, const torch::Tensor& asked,
                         const torch::Tensor& real_features);

}  // namespace irl
