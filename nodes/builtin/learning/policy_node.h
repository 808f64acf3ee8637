// The Policy node: a sampling policy from a file written by an IRL Trainer or train-policy.
#pragma once

#include "irl/nodes/node_pack.h"

namespace irl::nodes::builtin {

class PolicyNode : public NodeEvaluator {
public:
    static NodeTypeInfo declaration();
    Values evaluate(const Values& inputs, const QVariantMap& parameters, RunContext& context) override;
};

}  // namespace irl::nodes::builtin
