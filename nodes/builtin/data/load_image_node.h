// The Load Image node: a picture file as a start picture (image-to-image), converted to the shape
// of the linked denoiser by the one converter of pictures (colour, size, aspect by crop or pad).
#pragma once

#include "irl/nodes/node_pack.h"

namespace irl::nodes::builtin {

class LoadImageNode : public NodeEvaluator {
public:
    static NodeTypeInfo declaration();
    Values evaluate(const Values& inputs, const QVariantMap& parameters, RunContext& context) override;
};

}  // namespace irl::nodes::builtin
