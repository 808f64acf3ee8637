#include "irl/engine/models/batched_outputs.h"

#include <torch/torch.h>

namespace irl {
namespace {

constexpr int64_t kScoringBatch = 500;

}  // namespace

std::pair<torch::Tensor, torch::Tensor> batched_outputs(torch::nn::Module& module, const torch::Tensor& images, const ScoringForward& forward) {
    torch::InferenceMode inference;
    module.eval();
    std::vector<torch::Tensor> logits, features;
    for (int64_t start = 0; start < images.size(0); start += kScoringBatch) {
        const int64_t len = std::min(kScoringBatch, images.size(0) - start);
        torch::Tensor f;
        logits.push_back(forward(images.narrow(0, start, len).to(torch::kFloat32), &f));
        features.push_back(f.to(torch::kFloat64));
    }
    return {torch::cat(logits), torch::cat(features)};
}

}  // namespace irl
