// Trains a feature network (feature_network.h) on the user's pictures, on the engine's one
// training driver: pause, stop, checkpoints and resume come from there. Pictures in two classes or
// more train a classifier; pictures in one class (a folder without subfolders) an autoencoder, its
// features the 128-d code the decoder rebuilds the picture from. Held out: every tenth picture of
// each class (or the share asked for), never trained on; its accuracy (or reconstruction error)
// goes on the file's card.
#pragma once

#include "irl/engine/data/image_dataset.h"
#include "irl/engine/learning/training_driver.h"
#include "irl/engine/models/feature_network.h"

#include <ATen/core/Generator.h>
#include <torch/optim/adam.h>

#include <memory>
#include <string>

namespace irl {

struct FeatureTrainingOptions {
    TrainingRunOptions run;       // iterations (optimiser steps), checkpoint, resume
    int64_t batch = 64;
    double learning_rate = 1e-3;
    int64_t width = 32;
    double held_out = 0.1;        // share of each class held out (at least one picture of a class with two or more)
    bool flips = false;           // random left-right flips of the training pictures
    uint64_t seed = 0;
    std::string out;              // the feature file
    std::string command;          // for the card
};

// Splits `data` into training and held-out pictures: in each class, every k-th picture (k =
// round(1 / share)), starting from the (k-1)-th, is held out.
struct HeldOutSplit {
    ImageDataset train, held_out;
};
HeldOutSplit split_held_out(const ImageDataset& data, double share);

class FeatureTraining : public Trainer {
public:
    // Throws std::invalid_argument for a data set that leaves no picture to train on, and what the
    // driver throws for a checkpoint of another setup.
    FeatureTraining(const ImageDataset& data, FeatureTrainingOptions options);

    TrainingOutcome run(const TrainingSteering& control, const std::function<void(const TrainingStep&)>& after = {});

    int64_t iterations() const override { return iteration_; }
    void iterate(const CancelToken* cancel) override;
    void save_checkpoint(const std::string& path) const override;
    void load_checkpoint(const std::string& path) override;
    // Measures the held-out accuracy and writes the feature file with its card.
    void save_result(bool partial, double seconds) override;

    double held_out_accuracy();  // a classifier's; -1 for an autoencoder
    double held_out_error();     // an autoencoder's mean squared error per pixel; -1 for a classifier
    double running_loss() const { return running_loss_; }
    const HeldOutSplit& split() const { return split_; }
    FeatureNetwork& network() { return network_; }
    const FeatureFacts& facts() const { return facts_; }

private:
    std::string setup_json() const;

    FeatureTrainingOptions options_;
    HeldOutSplit split_;
    FeatureNetwork network_{nullptr};
    std::unique_ptr<torch::optim::Adam> optimizer_;
    at::Generator generator_;
    int64_t iteration_ = 0;
    double running_loss_ = 0.0;
    FeatureFacts facts_;
    std::unique_ptr<TrainingDriver> driver_;
};

}  // namespace irl
