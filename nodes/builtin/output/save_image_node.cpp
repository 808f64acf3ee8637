#include "save_image_node.h"

#include "node_support.h"

#include "irl/engine/core/random.h"
#include "irl/engine/io/atomic_file.h"
#include "irl/engine/io/pictures.h"
#include "irl/engine/io/png_text.h"
#include "irl/nodes/graph_file.h"
#include "irl/nodes/output_paths.h"

#include <QDir>
#include <QFileInfo>

namespace irl::nodes::builtin {

NodeTypeInfo SaveImageNode::declaration() {
    NodeTypeInfo t{"irl.save_image", "Save Image", "Output", "Writes a PNG grid (or scatter plot) that embeds the graph",
                   {{"images", ports::images}}, {},
                   {ParameterSchema::text("path", "File name", "samples.png", "Relative to the run's output folder"),
                    ParameterSchema::integer("columns", "Columns", 8, 1, 64)}};
    t.is_output = true;
    return t;
}

Values SaveImageNode::evaluate(const Values& in, const QVariantMap& p, RunContext& context) {
    const ImagesValue& images = input<ImagesValue>(in, "images");
    const QString path = output_path(context.output_dir, p.value("path").toString(), "Save Image's file name");
    if (!context.graph_file.isEmpty() && QFileInfo(path).absoluteFilePath() == QFileInfo(context.graph_file).absoluteFilePath())
        throw std::runtime_error("Save Image's file name '" + p.value("path").toString().toStdString() +
                                 "' is the file this graph was read from; choose another name");
    if (!QDir().mkpath(QFileInfo(path).absolutePath()))
        throw std::runtime_error("cannot create the folder of '" + path.toStdString() + "'");
    std::string png;
    if (images.points()) {
        torch::Tensor reference;
        if (images.toy) {
            at::Generator g = make_generator(1);
            reference = images.toy->sample(std::min<int64_t>(4000, images.samples.size(0)), g);
        }
        png = encode_scatter_png(images.samples, reference, {});
    } else {
        png = encode_image_grid_png(images.samples, p.value("columns").toInt(), 2);
    }
    if (!context.graph_json.isEmpty()) png = add_png_text(png, kGraphPngKeyword, context.graph_json.toStdString());
    write_file_atomically(path.toStdString(), png);
    if (context.report) context.report(context.node, "written", 1.0);
    return {};
}

}  // namespace irl::nodes::builtin
