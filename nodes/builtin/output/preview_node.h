// The Preview node: an output whose samples, step by step, the studio shows live.
#pragma once

#include "irl/nodes/node_pack.h"

namespace irl::nodes::builtin {

class PreviewNode : public NodeEvaluator {
public:
    static NodeTypeInfo declaration();
    Values evaluate(const Values& inputs, const QVariantMap& parameters, RunContext& context) override;
};

}  // namespace irl::nodes::builtin
