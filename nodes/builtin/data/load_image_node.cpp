#include "load_image_node.h"

#include "node_support.h"

#include "irl/engine/data/image_convert.h"

namespace irl::nodes::builtin {

NodeTypeInfo LoadImageNode::declaration() {
    return {"irl.load_image", "Load Image", "Data", "A picture file, in the denoiser's shape: the start picture of a Sampler (image-to-image)",
            {{"denoiser", ports::denoiser, "Shape from: the picture is converted to this denoiser's samples"}},
            {{"images", ports::images}},
            {ParameterSchema::file("file", "Picture", "Pictures (*.png *.jpg *.jpeg *.bmp *.webp *.tif *.tiff)",
                                   "Any size, grey or colour; converted to the denoiser's shape"),
             ParameterSchema::choice("fit", "Fit", {"crop", "pad"}, "crop", "Another aspect: crop the middle, or pad by extending the border")}};
}

Values LoadImageNode::evaluate(const Values& in, const QVariantMap& p, RunContext& context) {
    const DenoiserValue& model = input<DenoiserValue>(in, "denoiser");
    if (model.toy) throw std::runtime_error("the Load Image node needs an image denoiser: a toy's samples are points");
    const QString file = p.value("file").toString();
    if (file.isEmpty()) throw std::runtime_error("choose a picture file");
    const ImageShape shape = image_shape_of(model.denoiser->sample_shape());
    const AspectFit fit = aspect_fit_from_string(p.value("fit", "crop").toString().toStdString(), "the Load Image node's Fit");
    ConversionNotes converted;
    torch::Tensor image;
    try {
        image = read_picture(file.toStdString(), shape, fit, &converted);
    } catch (const std::runtime_error& e) {
        throw std::runtime_error("'" + file.toStdString() + "': " + e.what());
    }
    const std::string note = converted.sentence(shape, fit);
    if (!note.empty() && context.notice) context.notice(context.node, QString::fromStdString(note));
    return {{"images", ImagesValue{image.unsqueeze(0), torch::full({1}, int64_t(-1)), 0.0, nullptr}}};
}

}  // namespace irl::nodes::builtin
