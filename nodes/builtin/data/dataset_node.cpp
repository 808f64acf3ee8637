#include "dataset_node.h"

#include "node_support.h"

#include "irl/engine/core/random.h"
#include "irl/engine/data/image_dataset.h"
#include "irl/engine/data/toy_mixtures.h"

namespace irl::nodes::builtin {

NodeTypeInfo DatasetNode::declaration() {
    return {"irl.dataset", "Dataset", "Data", "Real data: the expert states of inverse RL and the reference of metrics",
            {{"denoiser", ports::denoiser, "Shape from: the images are converted to this denoiser's samples", true}},
            {{"dataset", ports::dataset}},
            {ParameterSchema::choice("source", "Source", {"fashion-mnist", "image-folder", "toy"}, "fashion-mnist"),
             ParameterSchema::choice("split", "Split", {"train", "test"}, "test").shown_if("source", {"fashion-mnist"}),
             ParameterSchema::text("classes", "Classes", "", "Comma-separated class indices to keep; empty keeps all")
                 .shown_if("source", {"fashion-mnist", "image-folder"}),
             ParameterSchema::file("folder", "Image folder", "", "FOLDER/<class>/<images>, or FOLDER/<images> for one class")
                 .shown_if("source", {"image-folder"}),
             ParameterSchema::text("shape", "Shape", "1x28x28", "CxHxW the images are converted to when no denoiser is connected")
                 .shown_if("source", {"image-folder"}),
             ParameterSchema::choice("fit", "Fit", {"crop", "pad"}, "crop",
                                     "Another aspect: crop the middle, or pad by extending the border")
                 .shown_if("source", {"fashion-mnist", "image-folder"}),
             ParameterSchema::choice("toy", "Toy", as_qt(toy_mixture_names()), "ring8").shown_if("source", {"toy"}),
             ParameterSchema::integer("count", "Toy samples", 4000, 10, 1000000).shown_if("source", {"toy"})}};
}

Values DatasetNode::evaluate(const Values& in, const QVariantMap& p, RunContext& context) {
    const QString source = p.value("source").toString();
    DatasetValue value;
    if (source == "toy") {
        const GaussianMixture mixture = make_toy_mixture(p.value("toy").toString().toStdString());
        at::Generator g = make_generator(0);
        value.data = mixture.sample(p.value("count").toLongLong(), g, -1, &value.labels);
        for (int64_t c = 0; c < mixture.num_classes(); ++c) value.class_names.push_back("mode " + std::to_string(c));
        value.source = "toy:" + p.value("toy").toString().toStdString();
        return {{"dataset", value}};
    }
    // The shape of the connected denoiser's samples, else the Shape parameter (image folders) or
    // Fashion-MNIST's own.
    const DenoiserValue* model = optional_input<DenoiserValue>(in, "denoiser");
    if (model && model->toy) throw std::runtime_error("the Dataset node's denoiser is a toy: images cannot take its shape");
    const AspectFit fit = aspect_fit_from_string(p.value("fit", "crop").toString().toStdString(), "the Dataset node's Fit");
    value.fit = fit;
    ImageDataset data;
    ConversionNotes converted;
    ImageShape shape;
    if (source == "image-folder") {
        const QString folder = p.value("folder").toString();
        if (folder.isEmpty()) throw std::runtime_error("choose an image folder");
        shape = model ? image_shape_of(model->denoiser->sample_shape())
                      : parse_image_shape(p.value("shape", "1x28x28").toString().toStdString(), "the Dataset node's Shape");
        ImageFolderReport report;
        data = load_image_folder(folder.toStdString(), shape, fit, &report);
        converted = report.converted;
        if (!report.skipped.empty() && context.notice)
            context.notice(context.node, QString("skipped %1 of the image folder, e.g. %2")
                                             .arg(QString::fromStdString(count_of(static_cast<int64_t>(report.skipped.size()), "file")))
                                             .arg(QString::fromStdString(report.skipped.front())));
    } else {
        data = load_fashion_mnist(p.value("split").toString().toStdString());
        if (model) {
            shape = image_shape_of(model->denoiser->sample_shape());
            data.images = convert_images(data.images, shape, fit, &converted);
        }
    }
    const std::string note = converted.sentence(shape, fit);
    if (!note.empty() && context.notice) context.notice(context.node, QString::fromStdString(note));
    const std::vector<double> classes = parse_choices(p.value("classes").toString());
    if (!classes.empty()) data = data.filtered(std::vector<int64_t>(classes.begin(), classes.end()));
    value.data = data.images;
    value.labels = data.labels;
    value.class_names = data.class_names;
    value.source = data.source;
    return {{"dataset", value}};
}

}  // namespace irl::nodes::builtin
