// A small CNN classifier of 28x28 images: its logits give class accuracy of conditional samples,
// its 128-d penultimate features give the Frechet distance and k-NN precision/recall.
#pragma once

#include "irl/engine/core/cancel.h"
#include "irl/engine/data/image_dataset.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <functional>
#include <memory>
#include <string>

namespace irl {

class FashionClassifierImpl : public torch::nn::Module {
public:
    static constexpr int64_t kFeatures = 128;
    explicit FashionClassifierImpl(int64_t classes = 10);
    // images [N, 1, 28, 28] in [-1, 1] -> logits [N, classes]; features_out gets [N, kFeatures].
    torch::Tensor forward(const torch::Tensor& images, torch::Tensor* features_out = nullptr);
    int64_t classes() const { return classes_; }

private:
    int64_t classes_;
    torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, conv3{nullptr}, conv4{nullptr};
    torch::nn::Linear hidden{nullptr}, head{nullptr};
};
TORCH_MODULE(FashionClassifier);

struct ClassifierOutputs {
    torch::Tensor logits;    // [N, classes]
    torch::Tensor features;  // [N, 128] float64
};

// Evaluation mode, batched, no gradients.
ClassifierOutputs classify(FashionClassifier& model, const torch::Tensor& images);

void save_classifier(FashionClassifier& model, const std::string& path, const std::string& facts_json);
// Throws std::runtime_error naming the file when it is missing, corrupt or of another format.
FashionClassifier load_classifier(const std::string& path);

struct ClassifierTrainingOptions {
    int64_t epochs = 4;
    int64_t batch = 128;
    double learning_rate = 1e-3;
    uint64_t seed = 0;
};
// Returns the test accuracy after the last epoch. on_progress(step, total_steps, loss).
double train_classifier(FashionClassifier& model, const ImageDataset& train, const ImageDataset& test,
                        const ClassifierTrainingOptions& options,
                        const std::function<void(int64_t, int64_t, double)>& on_progress, const CancelToken* cancel);

}  // namespace irl
