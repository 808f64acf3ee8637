// Trains the EDM U-Net denoiser (Karras et al. 2022, Sec. 5: log-normal sigma, loss weight
// (sigma^2 + sigma_data^2) / (sigma sigma_data)^2) with label dropout for classifier-free guidance.
#pragma once

#include "irl/engine/core/cancel.h"
#include "irl/engine/models/edm_unet.h"
#include "irl/engine/data/image_dataset.h"

#include <cstdint>
#include <functional>
#include <string>

namespace irl {

struct DenoiserTrainingOptions {
    UnetConfig model;
    int64_t steps = 20000;            // total optimiser steps (a resumed run continues to this)
    int64_t batch = 128;
    double learning_rate = 1e-3;
    int64_t warmup = 500;             // linear learning-rate warm-up, in steps
    double ema_decay = 0.999;         // upper bound; early steps use (1 + t) / (10 + t)
    double label_dropout = 0.1;       // fraction of labels replaced by the null label
    double p_mean = -1.2, p_std = 1.2;  // ln(sigma) ~ N(p_mean, p_std^2)
    uint64_t seed = 0;
    // Draw each batch's classes uniformly (then an image of that class uniformly), so that a
    // class with few images is seen as often as a large one; false: images uniformly.
    bool balance_classes = false;
    std::string checkpoint;           // resumable state, written atomically; empty = none
    int64_t checkpoint_every = 250;
    std::string export_path;          // EMA weights for inference, written with each checkpoint
};

struct DenoiserTrainingProgress {
    int64_t step = 0;
    int64_t total = 0;
    double loss = 0.0;          // running mean of the weighted loss
    double seconds = 0.0;       // wall time of this run
    double total_seconds = 0.0; // including earlier runs resumed from the checkpoint
    bool resumed = false;
};

// Runs until options.steps or until cancel fires (then writes a final checkpoint and throws
// Cancelled). The callback is called after every step.
void train_denoiser(const ImageDataset& data, const DenoiserTrainingOptions& options,
                    const std::function<void(const DenoiserTrainingProgress&)>& on_progress,
                    const CancelToken* cancel = nullptr);

}  // namespace irl
