#include "dataset_node.h"

#include "node_support.h"

#include "irl/engine/core/random.h"
#include "irl/engine/data/image_dataset.h"
#include "irl/engine/data/toy_mixtures.h"

namespace irl::nodes::builtin {

NodeTypeInfo DatasetNode::declaration() {
    return {"irl.dataset", "Dataset", "Data", "Real data: the expert states of inverse RL and the reference of metrics", {},
            {{"dataset", ports::dataset}},
            {ParameterSchema::choice("source", "Source", {"fashion-mnist", "image-folder", "toy"}, "fashion-mnist"),
             ParameterSchema::choice("split", "Split", {"train", "test"}, "test").shown_if("source", {"fashion-mnist"}),
             ParameterSchema::text("classes", "Classes", "", "Comma-separated class indices to keep; empty keeps all")
                 .shown_if("source", {"fashion-mnist", "image-folder"}),
             ParameterSchema::file("folder", "Image folder", "", "FOLDER/<class>/<images>; converted to 1x28x28")
                 .shown_if("source", {"image-folder"}),
             ParameterSchema::choice("toy", "Toy", as_qt(toy_mixture_names()), "ring8").shown_if("source", {"toy"}),
             ParameterSchema::integer("count", "Toy samples", 4000, 10, 1000000).shown_if("source", {"toy"})}};
}

Values DatasetNode::evaluate(const Values&, const QVariantMap& p, RunContext&) {
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
    ImageDataset data;
    if (source == "image-folder") {
        const QString folder = p.value("folder").toString();
        if (folder.isEmpty()) throw std::runtime_error("choose an image folder");
        ImageFolderReport report;
        data = load_image_folder(folder.toStdString(), 1, 28, &report);
    } else {
        data = load_fashion_mnist(p.value("split").toString().toStdString());
    }
    const std::vector<double> classes = parse_choices(p.value("classes").toString());
    if (!classes.empty()) data = data.filtered(std::vector<int64_t>(classes.begin(), classes.end()));
    value.data = data.images;
    value.labels = data.labels;
    value.class_names = data.class_names;
    value.source = data.source;
    return {{"dataset", value}};
}

}  // namespace irl::nodes::builtin
