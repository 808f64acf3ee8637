// The Sampler node: runs a solver from pure noise to images under the fixed control its action
// inputs set (each input takes the action of its own kind), or under a learned policy, with a
// live preview of every step.
#pragma once

#include "irl/nodes/node_pack.h"

namespace irl::nodes::builtin {

class SamplerNode : public NodeEvaluator {
public:
    static NodeTypeInfo declaration();
    Values evaluate(const Values& inputs, const QVariantMap& parameters, RunContext& context) override;
};

}  // namespace irl::nodes::builtin
