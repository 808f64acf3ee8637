#include "irl/engine/learning/schedule_fit/feature_distance.h"

#include "irl/engine/core/resources.h"
#include "irl/engine/learning/schedule_fit/schedule_fit.h"
#include "irl/engine/models/denoiser.h"
#include "irl/engine/models/feature_network.h"

#include <torch/torch.h>

#include <filesystem>
#include <memory>
#include <stdexcept>

namespace irl {

void use_feature_distance(ScheduleFitOptions& options, const std::string& path, const Denoiser& denoiser) {
    if (denoiser.sample_shape().size() != 3)
        throw std::invalid_argument("'" + path + "' is a feature network for images, and this model's samples are not images");
    // A bundled network by its name under resources/ ("models/fashion-features.pt") when no such
    // file is here; a missing file is named by the loader.
    std::string found = path;
    if (!std::filesystem::exists(found) && std::filesystem::path(found).is_relative()) {
        try {
            found = find_resource(path);
        } catch (const std::runtime_error&) {
        }
    }
    // Shared by every copy of the options (the claim's bench copies them for each fit).
    auto file = std::make_shared<FeatureFile>(load_feature_network(found, image_shape_of(denoiser.sample_shape())));
    file->network->eval();
    for (torch::Tensor& parameter : file->network->parameters()) parameter.requires_grad_(false);
    options.distance = "features of " + path;
    options.distance_features = [file](const torch::Tensor& samples) {
        torch::Tensor features;
        file->network->forward(samples.to(torch::kFloat32), &features);
        return features;
    };
}

std::string default_feature_network(const Denoiser& denoiser) {
    if (denoiser.sample_shape() != std::vector<int64_t>{1, 28, 28}) return {};
    const std::string bundled = "models/fashion-features.pt";
    try {
        find_resource(bundled);
    } catch (const std::runtime_error&) {
        return {};
    }
    return bundled;
}

}  // namespace irl
