// The Schedule node: the noise levels the sampler visits (Karras or exponential spacing, a pasted
// list, or a learned schedule's file).
#pragma once

#include "irl/nodes/node_pack.h"

namespace irl::nodes::builtin {

class ScheduleNode : public NodeEvaluator {
public:
    static NodeTypeInfo declaration();
    Values evaluate(const Values& inputs, const QVariantMap& parameters, RunContext& context) override;
};

}  // namespace irl::nodes::builtin
