// The action nodes, one type per action kind (Guidance, Churn, Renoise, Stochasticity): a value
// for a fixed sampler and the choices a learned policy picks from, optionally in a σ range.
#pragma once

#include "irl/engine/sampling/action_space.h"
#include "irl/nodes/node_pack.h"

namespace irl::nodes::builtin {

class ActionNode : public NodeEvaluator {
public:
    explicit ActionNode(ActionKind kind) : kind_(kind) {}
    static NodeTypeInfo declaration(ActionKind kind);
    Values evaluate(const Values& inputs, const QVariantMap& parameters, RunContext& context) override;

private:
    ActionKind kind_;
};

}  // namespace irl::nodes::builtin
