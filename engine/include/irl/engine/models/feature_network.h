// A feature network for images of any shape, trained by the project on the user's own data
// (irlstudio-cli train-features): its 128-d penultimate features give the Frechet distance and
// k-NN precision / recall, its logits class accuracy, where the bundled Fashion classifier does
// not fit the data. The file carries its card: the data, the held-out accuracy, the command.
#pragma once

#include "irl/engine/data/image_convert.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <cstdint>
#include <string>
#include <vector>

namespace irl {

class FeatureNetworkImpl : public torch::nn::Module {
public:
    static constexpr int64_t kFeatures = 128;
    // Three 3x3 convolution stages of `width`, 2 x `width` and 4 x `width` channels, each halving
    // the picture, an average over a 4 x 4 grid (so any picture of at least 8 pixels a side
    // fits), a 128-d feature layer and a linear head over `classes`. With no classes (0), an
    // autoencoder: a decoder takes the 128-d features back to the picture instead of a head.
    FeatureNetworkImpl(ImageShape shape, int64_t classes, int64_t width = 32);
    // images [N, C, H, W] in [-1, 1] of this network's shape -> logits [N, classes] ([N, 0] for
    // an autoencoder); features_out gets [N, kFeatures].
    torch::Tensor forward(const torch::Tensor& images, torch::Tensor* features_out = nullptr);
    // An autoencoder's picture back from its features, [N, C, H, W] in [-1, 1].
    torch::Tensor reconstruct(const torch::Tensor& images);
    const ImageShape& shape() const { return shape_; }
    int64_t classes() const { return classes_; }
    int64_t width() const { return width_; }
    bool autoencoder() const { return classes_ == 0; }

private:
    torch::Tensor encode(const torch::Tensor& images);

    ImageShape shape_;
    int64_t classes_, width_;
    torch::nn::Sequential body{nullptr}, decoder{nullptr};
    torch::nn::Linear hidden{nullptr}, head{nullptr}, unfold{nullptr};
};
TORCH_MODULE(FeatureNetwork);

// The card of a feature file: what it was trained on and how well it does on held-out images.
struct FeatureFacts {
    std::string kind = "classifier";        // "classifier", or "autoencoder" for a folder without classes
    std::vector<std::string> class_names;   // index = label
    std::string data;                       // the folder (or data set) it learned from
    int64_t train_images = 0, held_out_images = 0;
    double held_out_accuracy = -1.0;        // a classifier's; -1: not measured
    double held_out_error = -1.0;           // an autoencoder's mean squared error per pixel; -1: not measured
    double data_variance = -1.0;            // the held-out pictures' variance per pixel (the error of predicting their mean)
    int64_t iterations = 0;
    double seconds = 0.0;
    uint64_t seed = 0;
    std::string command;                    // the command line that made it
    bool partial = false;                   // the training was cut short
    std::string to_json() const;
    static FeatureFacts from_json(const std::string& text);
};

struct FeatureFile {
    FeatureNetwork network{nullptr};
    FeatureFacts facts;
};

// Atomically, in the project's checksummed format.
void save_feature_network(FeatureNetwork& network, const FeatureFacts& facts, const std::string& path);
// Throws std::runtime_error of one sentence naming the file when it is missing, damaged or of
// another format.
FeatureFile load_feature_network(const std::string& path);
// The same, and refuses a network made for pictures of another shape than `shape`, saying both.
FeatureFile load_feature_network(const std::string& path, const ImageShape& shape);

struct FeatureOutputs {
    torch::Tensor logits;    // [N, classes]
    torch::Tensor features;  // [N, 128] float64
};
// Where train-features puts the network of a folder's pictures, and where Evaluate looks for it:
// next to the folder, FOLDER.features ("a/b/" and "a/b" give "a/b.features").
std::string features_file_for_folder(const std::string& folder);
// The same for a data set's source when it is a folder ("folder:PATH"); empty otherwise.
std::string features_file_for_source(const std::string& source);

// Evaluation mode, batched, no gradients.
FeatureOutputs features_of(FeatureNetwork& network, const torch::Tensor& images);

}  // namespace irl
