#include "preview_node.h"

#include "node_support.h"

namespace irl::nodes::builtin {

NodeTypeInfo PreviewNode::declaration() {
    NodeTypeInfo t{"irl.preview", "Preview", "Output", "Shows the images and every denoising step live in the studio",
                   {{"images", ports::images}}, {}, {ParameterSchema::integer("zoom", "Zoom", 2, 1, 8)}};
    t.is_output = true;
    return t;
}

Values PreviewNode::evaluate(const Values& in, const QVariantMap&, RunContext& context) {
    const ImagesValue& images = input<ImagesValue>(in, "images");
    if (context.report) context.report(context.node, "images", static_cast<double>(images.samples.size(0)));
    return {};
}

}  // namespace irl::nodes::builtin
