// The Dataset node: real data, the expert states of inverse RL and the reference of metrics (Fashion-MNIST,
// an image folder with one subfolder per class, or fresh draws of a 2-D toy).
#pragma once

#include "irl/nodes/node_pack.h"

namespace irl::nodes::builtin {

class DatasetNode : public NodeEvaluator {
public:
    static NodeTypeInfo declaration();
    Values evaluate(const Values& inputs, const QVariantMap& parameters, RunContext& context) override;
};

}  // namespace irl::nodes::builtin
