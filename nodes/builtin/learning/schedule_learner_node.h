// The Schedule Learner node: fits a solver's noise levels (and where each step queries the
// denoiser) to a many-step teacher through the solver, on the engine's training driver; its
// output is the learned schedule, also written to a file the Schedule node loads.
#pragma once

#include "irl/nodes/node_pack.h"

namespace irl::nodes::builtin {

class ScheduleLearnerNode : public NodeEvaluator {
public:
    static NodeTypeInfo declaration();
    Values evaluate(const Values& inputs, const QVariantMap& parameters, RunContext& context) override;
};

}  // namespace irl::nodes::builtin
