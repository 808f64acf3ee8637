// A scoring network's outputs over many images: evaluation mode, no gradients, in batches of 500,
// logits as the network gives them and features in float64. The metrics classifier and the
// feature networks of train-features both run through here.
#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

#include <functional>

namespace irl {

// `forward(images, &features)` returns the logits of a batch and sets its features.
using ScoringForward = std::function<torch::Tensor(const torch::Tensor& images, torch::Tensor* features)>;
// `module` is put in evaluation mode; returns {logits [N, classes], features [N, d] float64}.
std::pair<torch::Tensor, torch::Tensor> batched_outputs(torch::nn::Module& module, const torch::Tensor& images, const ScoringForward& forward);

}  // namespace irl
