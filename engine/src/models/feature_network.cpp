#include "irl/engine/models/feature_network.h"

#include "irl/engine/io/archive.h"
#include "irl/engine/models/batched_outputs.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

namespace irl {
namespace {

const FileKind kFeatureFile{"irlstudio-features", 1, "feature network file"};
constexpr int64_t kGrid = 4;

torch::nn::Conv2d stage_conv(int64_t in, int64_t out, int64_t stride) {
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).padding(1).stride(stride));
}

}  // namespace

FeatureNetworkImpl::FeatureNetworkImpl(ImageShape shape, int64_t classes, int64_t width)
    : shape_(shape), classes_(classes), width_(width) {
    if (classes < 0) throw std::invalid_argument("a feature network's class count cannot be negative");
    if (shape.height < 2 * kGrid || shape.width < 2 * kGrid)
        throw std::invalid_argument("a feature network needs pictures of at least 8 pixels a side, not " + shape.text());
    torch::nn::Sequential stages;
    int64_t in = shape.channels;
    for (const int64_t out : {width, 2 * width, 4 * width}) {
        stages->push_back(stage_conv(in, out, 1));
        stages->push_back(torch::nn::Functional(torch::relu));
        stages->push_back(stage_conv(out, out, 2));
        stages->push_back(torch::nn::Functional(torch::relu));
        in = out;
    }
    stages->push_back(torch::nn::AdaptiveAvgPool2d(torch::nn::AdaptiveAvgPool2dOptions({kGrid, kGrid})));
    body = register_module("body", stages);
    hidden = register_module("hidden", torch::nn::Linear(4 * width * kGrid * kGrid, kFeatures));
    if (classes > 0) {
        head = register_module("head", torch::nn::Linear(kFeatures, classes));
        return;
    }
    // The decoder mirrors the stages: from the 4x4 grid up by twos, then to the picture's size.
    unfold = register_module("unfold", torch::nn::Linear(kFeatures, 4 * width * kGrid * kGrid));
    torch::nn::Sequential up;
    for (const int64_t out : {2 * width, width}) {
        up->push_back(torch::nn::Upsample(torch::nn::UpsampleOptions().scale_factor(std::vector<double>{2.0, 2.0}).mode(torch::kNearest)));
        up->push_back(stage_conv(out * 2, out, 1));
        up->push_back(torch::nn::Functional(torch::relu));
    }
    up->push_back(torch::nn::Upsample(torch::nn::UpsampleOptions()
                                          .size(std::vector<int64_t>{shape.height, shape.width})
                                          .mode(torch::kBilinear)
                                          .align_corners(false)));
    up->push_back(stage_conv(width, shape.channels, 1));
    up->push_back(torch::nn::Functional(torch::tanh));
    decoder = register_module("decoder", up);
}

torch::Tensor FeatureNetworkImpl::encode(const torch::Tensor& images) { return torch::relu(hidden(body->forward(images).flatten(1))); }

torch::Tensor FeatureNetworkImpl::forward(const torch::Tensor& images, torch::Tensor* features_out) {
    const torch::Tensor features = encode(images);
    if (features_out) *features_out = features;
    return classes_ > 0 ? head(features) : torch::zeros({images.size(0), 0}, features.options());
}

torch::Tensor FeatureNetworkImpl::reconstruct(const torch::Tensor& images) {
    if (classes_ > 0) throw std::logic_error("reconstruct: this feature network is a classifier");
    const torch::Tensor grid = unfold(encode(images)).reshape({images.size(0), 4 * width_, kGrid, kGrid});
    return decoder->forward(grid);
}

std::string FeatureFacts::to_json() const {
    return nlohmann::json{{"kind", kind},
                          {"class_names", class_names},
                          {"data", data},
                          {"train_images", train_images},
                          {"held_out_images", held_out_images},
                          {"held_out_accuracy", held_out_accuracy},
                          {"held_out_error", held_out_error},
                          {"data_variance", data_variance},
                          {"iterations", iterations},
                          {"seconds", seconds},
                          {"seed", seed},
                          {"command", command},
                          {"partial", partial}}
        .dump();
}

FeatureFacts FeatureFacts::from_json(const std::string& text) {
    const nlohmann::json j = nlohmann::json::parse(text);
    FeatureFacts f;
    f.kind = j.value("kind", f.kind);
    f.class_names = j.value("class_names", std::vector<std::string>{});
    f.data = j.value("data", std::string());
    f.train_images = j.value("train_images", int64_t(0));
    f.held_out_images = j.value("held_out_images", int64_t(0));
    f.held_out_accuracy = j.value("held_out_accuracy", -1.0);
    f.held_out_error = j.value("held_out_error", -1.0);
    f.data_variance = j.value("data_variance", -1.0);
    f.iterations = j.value("iterations", int64_t(0));
    f.seconds = j.value("seconds", 0.0);
    f.seed = j.value("seed", uint64_t(0));
    f.command = j.value("command", std::string());
    f.partial = j.value("partial", false);
    return f;
}

void save_feature_network(FeatureNetwork& network, const FeatureFacts& facts, const std::string& path) {
    ArchiveWriter archive(kFeatureFile);
    archive.text("shape", network->shape().text());
    archive.integer("classes", network->classes());
    archive.integer("width", network->width());
    archive.text("facts", facts.to_json());
    archive.module("network", *network);
    archive.save(path);
}

FeatureFile load_feature_network(const std::string& path) {
    ArchiveReader archive(path, kFeatureFile);
    ImageShape shape;
    try {
        shape = parse_image_shape(archive.text("shape"), "its shape");
    } catch (const std::exception&) {
        archive.fail("has a damaged picture shape");
    }
    const int64_t classes = archive.integer("classes"), width = archive.integer("width");
    if (classes < 0 || classes > 100000) archive.fail("has a damaged class count");
    if (width < 1 || width > 1024) archive.fail("has a damaged width");
    FeatureFile file;
    try {
        file.facts = FeatureFacts::from_json(archive.text("facts"));
    } catch (const nlohmann::json::exception&) {
        archive.fail("has a damaged card");
    }
    file.network = FeatureNetwork(shape, classes, width);
    archive.load_module("network", *file.network);
    file.network->eval();
    return file;
}

FeatureFile load_feature_network(const std::string& path, const ImageShape& shape) {
    FeatureFile file = load_feature_network(path);
    if (!(file.network->shape() == shape))
        throw std::runtime_error("'" + path + "' is a feature network for " + file.network->shape().text() + " pictures, and these are " +
                                 shape.text());
    return file;
}

std::string features_file_for_folder(const std::string& folder) {
    std::string path = folder;
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    return path + ".features";
}

std::string features_file_for_source(const std::string& source) {
    const std::string prefix = "folder:";
    return source.rfind(prefix, 0) == 0 ? features_file_for_folder(source.substr(prefix.size())) : std::string();
}

FeatureOutputs features_of(FeatureNetwork& network, const torch::Tensor& images) {
    auto [logits, features] = batched_outputs(*network, images, [&](const torch::Tensor& x, torch::Tensor* f) { return network->forward(x, f); });
    return {logits, features};
}

}  // namespace irl
