#include "irl/engine/models/fashion_classifier.h"

#include "irl/engine/core/random.h"
#include "irl/engine/io/archive.h"
#include "irl/engine/models/batched_outputs.h"

#include <torch/torch.h>

namespace irl {
namespace {

const FileKind kClassifierFile{"irlstudio-classifier", 1, "classifier weights file"};

torch::nn::Conv2d conv(int64_t in, int64_t out) {
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).padding(1));
}

}  // namespace

FashionClassifierImpl::FashionClassifierImpl(int64_t classes) : classes_(classes) {
    conv1 = register_module("conv1", conv(1, 32));
    conv2 = register_module("conv2", conv(32, 32));
    conv3 = register_module("conv3", conv(32, 64));
    conv4 = register_module("conv4", conv(64, 64));
    hidden = register_module("hidden", torch::nn::Linear(64 * 7 * 7, kFeatures));
    head = register_module("head", torch::nn::Linear(kFeatures, classes));
}

torch::Tensor FashionClassifierImpl::forward(const torch::Tensor& images, torch::Tensor* features_out) {
    torch::Tensor h = torch::relu(conv2(torch::relu(conv1(images))));
    h = torch::max_pool2d(h, 2);
    h = torch::relu(conv4(torch::relu(conv3(h))));
    h = torch::max_pool2d(h, 2).flatten(1);
    const torch::Tensor features = torch::relu(hidden(h));
    if (features_out) *features_out = features;
    return head(torch::dropout(features, 0.3, is_training()));
}

ClassifierOutputs classify(FashionClassifier& model, const torch::Tensor& images) {
    auto [logits, features] = batched_outputs(*model, images, [&](const torch::Tensor& x, torch::Tensor* f) { return model->forward(x, f); });
    return {logits, features};
}

void save_classifier(FashionClassifier& model, const std::string& path, const std::string& facts_json) {
    ArchiveWriter archive(kClassifierFile);
    archive.integer("classes", model->classes());
    archive.text("facts", facts_json);
    archive.module("model", *model);
    archive.save(path);
}

FashionClassifier load_classifier(const std::string& path) {
    ArchiveReader archive(path, kClassifierFile);
    const int64_t classes = archive.integer("classes");
    if (classes < 1 || classes > 100000) archive.fail("has a damaged class count");
    FashionClassifier model(classes);
    archive.load_module("model", *model);
    model->eval();
    return model;
}

double train_classifier(FashionClassifier& model, const ImageDataset& train, const ImageDataset& test,
                        const ClassifierTrainingOptions& options,
                        const std::function<void(int64_t, int64_t, double)>& on_progress, const CancelToken* cancel) {
    at::Generator generator = make_generator(options.seed);
    torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(options.learning_rate));
    const int64_t per_epoch = train.size() / options.batch;
    const int64_t total = per_epoch * options.epochs;
    int64_t step = 0;
    double running = 0.0;
    for (int64_t epoch = 0; epoch < options.epochs; ++epoch) {
        model->train();
        const torch::Tensor order = at::randperm(train.size(), generator, torch::kInt64);
        for (int64_t b = 0; b < per_epoch; ++b) {
            if (cancel) cancel->throw_if_cancelled();
            const torch::Tensor index = order.narrow(0, b * options.batch, options.batch);
            torch::Tensor images = train.images.index_select(0, index);
            // Horizontal flips: every Fashion-MNIST class is left-right symmetric in meaning.
            const torch::Tensor flip = at::rand({options.batch}, generator) < 0.5;
            images = torch::where(flip.reshape({-1, 1, 1, 1}), images.flip({3}), images);
            const torch::Tensor loss = torch::cross_entropy_loss(model->forward(images), train.labels.index_select(0, index));
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            running = step == 0 ? loss.item<double>() : 0.98 * running + 0.02 * loss.item<double>();
            ++step;
            if (on_progress) on_progress(step, total, running);
        }
    }
    const ClassifierOutputs out = classify(model, test.images);
    return (out.logits.argmax(1) == test.labels).to(torch::kFloat64).mean().item<double>();
}

}  // namespace irl
