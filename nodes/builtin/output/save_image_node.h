// The Save Image node: writes a PNG grid (or a scatter plot of 2-D points) that embeds the graph,
// inside the run's output folder.
#pragma once

#include "irl/nodes/node_pack.h"

namespace irl::nodes::builtin {

class SaveImageNode : public NodeEvaluator {
public:
    static NodeTypeInfo declaration();
    Values evaluate(const Values& inputs, const QVariantMap& parameters, RunContext& context) override;
};

}  // namespace irl::nodes::builtin
