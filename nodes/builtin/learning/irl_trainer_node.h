// The IRL Trainer node: learns a sampling policy by inverse RL on the engine thread, interactively
// (pause, resume, stop keeping what was learned, checkpoint on request), reporting every iteration
// to the window and writing the policy file that a Policy node loads.
#pragma once

#include "irl/nodes/node_pack.h"

namespace irl::nodes::builtin {

class IrlTrainerNode : public NodeEvaluator {
public:
    static NodeTypeInfo declaration();
    Values evaluate(const Values& inputs, const QVariantMap& parameters, RunContext& context) override;
};

}  // namespace irl::nodes::builtin
