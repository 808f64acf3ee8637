#include "denoiser_node.h"

#include "node_support.h"

#include "irl/engine/core/resources.h"
#include "irl/engine/data/toy_mixtures.h"
#include "irl/engine/models/gaussian_mixture_denoiser.h"
#include "irl/engine/models/torchscript_denoiser.h"
#include "irl/engine/models/unet_denoiser.h"

namespace irl::nodes::builtin {

NodeTypeInfo DenoiserNode::declaration() {
    NodeTypeInfo t{"irl.denoiser", "Denoiser", "Models", "The model that predicts the clean image from a noisy one", {},
                   {{"denoiser", ports::denoiser}}, {}};
    t.parameters = {ParameterSchema::choice("source", "Source", {"bundled", "torchscript", "toy"}, "bundled",
                                            "bundled: the Fashion-MNIST U-Net; torchscript: your file; toy: an exact 2-D mixture"),
                    ParameterSchema::file("file", "Model file", "Models (*.pt)",
                                          "TorchScript with a JSON sidecar next to it, or a U-Net that train-denoiser wrote")
                        .shown_if("source", {"torchscript"}),
                    ParameterSchema::choice("toy", "Toy", as_qt(toy_mixture_names()), "ring8").shown_if("source", {"toy"})};
    return t;
}

Values DenoiserNode::evaluate(const Values&, const QVariantMap& p, RunContext&) {
    DenoiserValue value;
    const QString source = p.value("source").toString();
    if (source == "toy") {
        auto mixture = std::make_shared<GaussianMixture>(make_toy_mixture(p.value("toy").toString().toStdString()));
        value.toy = mixture;
        value.denoiser = std::make_shared<GaussianMixtureDenoiser>(*mixture, "toy:" + p.value("toy").toString().toStdString());
    } else if (source == "torchscript") {
        const QString file = p.value("file").toString();
        if (file.isEmpty()) throw std::runtime_error("choose a model file");
        value.denoiser = std::shared_ptr<Denoiser>(load_denoiser_file(file.toStdString()));
    } else {
        value.denoiser = std::shared_ptr<Denoiser>(UnetDenoiser::load(find_resource("models/fashion-unet.pt")));
    }
    return {{"denoiser", value}};
}

}  // namespace irl::nodes::builtin
