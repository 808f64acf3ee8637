#include "dxmi_sampler_node.h"

#include "node_support.h"

#include "irl/engine/data/toy_mixtures.h"
#include "irl/engine/learning/dxmi/dxmi_files.h"
#include "irl/nodes/seed_rules.h"
#include "irl/engine/models/gaussian_mixture_denoiser.h"

#include <torch/torch.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace irl::nodes::builtin {
namespace {

// The toy a DxMI sampler file came from, by the model it names: the exact denoiser "toy:<toy>", or
// an MLP fitted to it, "mlp:<toy>:seed<S>". Empty when it names neither.
std::string toy_of(const std::string& source_model) {
    for (const std::string prefix : {"toy:", "mlp:"})
        if (source_model.rfind(prefix, 0) == 0) return source_model.substr(prefix.size(), source_model.find(':', prefix.size()) - prefix.size());
    return {};
}

}  // namespace

NodeTypeInfo DxmiSamplerNode::declaration() {
    return {"irl.dxmi_sampler", "DxMI Sampler", "Sampling",
            "Samples with a trained DxMI few-step sampler from its file (written by a DxMI Trainer or train-dxmi)", {},
            {{"samples", ports::images, "The sampler's samples, over the toy it was trained on"},
             {"denoiser", ports::denoiser, "The denoiser it samples with: the fine-tuned one in the file, or the toy's exact one"}},
            {ParameterSchema::file("file", "DxMI sampler file", "DxMI samplers (*.dxmi)"),
             ParameterSchema::integer("count", "Samples", 2000, 1, 1000000),
             ParameterSchema::integer("seed", "Seed", 0, 0, 2147483647),
             seed_rule_parameter(),
             batch_parameter()}};
}

Values DxmiSamplerNode::evaluate(const Values&, const QVariantMap& p, RunContext& context) {
    const QString path = p.value("file").toString();
    if (path.isEmpty()) throw std::runtime_error("choose a DxMI sampler file");
    const DxmiSamplerFile file = load_dxmi_sampler(path.toStdString());
    const std::string toy = toy_of(file.source_model);
    const std::vector<std::string> known = toy_mixture_names();
    if (toy.empty() || std::find(known.begin(), known.end(), toy) == known.end())
        throw std::runtime_error("the DxMI sampler file " + path.toStdString() + " was trained on '" + file.source_model +
                                 "', not on one of the 2-D toys this studio knows");
    auto mixture = std::make_shared<GaussianMixture>(make_toy_mixture(toy));
    std::shared_ptr<Denoiser> denoiser = file.denoiser;
    if (!denoiser) denoiser = std::make_shared<GaussianMixtureDenoiser>(*mixture, "toy:" + toy);
    if (context.cancel) context.cancel->throw_if_cancelled();
    ImagesValue samples;
    samples.samples = sample_few_step(*denoiser, file.sampler, p.value("count").toLongLong(),
                                      static_cast<uint64_t>(p.value("seed").toLongLong()), torch::kFloat64);
    samples.labels = torch::full({samples.samples.size(0)}, int64_t(-1));
    samples.nfe = static_cast<double>(file.steps());
    samples.toy = mixture;
    return {{"samples", samples}, {"denoiser", DenoiserValue{denoiser, mixture}}};
}

}  // namespace irl::nodes::builtin
