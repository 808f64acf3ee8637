// Image scores from any network's outputs on generated images: FD and k-NN precision / recall on
// its features, class accuracy on its logits. The bundled Fashion classifier (score_images of
// image_evaluation.h) and the feature networks of train-features both score through here.
#pragma once

#include "irl/engine/metrics/image_evaluation.h"
#include "irl/engine/models/feature_network.h"

namespace irl {

// logits [N, classes] and features [N, d] of the generated images, asked [N] (-1 = no class; may
// be undefined), real_features [M, d]. Precision and recall use min(N, M) points of each side, k = 3.
ImageScores score_outputs(const torch::Tensor& logits, const torch::Tensor& features, const torch::Tensor& asked,
                          const torch::Tensor& real_features);
// generated [N, C, H, W] of the network's shape (clamped to [-1, 1] here).
ImageScores score_images(FeatureNetwork& network, const torch::Tensor& generated, const torch::Tensor& asked,
                         const torch::Tensor& real_features);

}  // namespace irl
