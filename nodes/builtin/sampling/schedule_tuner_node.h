// The Schedule Tuner node: the tuned-schedule baseline as a node. Coordinate descent over a fine
// Karras grid finds the noise levels of a fixed solver at a fixed number of function evaluations
// that score best against reference data (FD for images, MMD^2 for 2-D points); its output is a
// schedule like any other, and it reports how many evaluations the search spent.
#pragma once

#include "irl/nodes/node_pack.h"

namespace irl::nodes::builtin {

class ScheduleTunerNode : public NodeEvaluator {
public:
    static NodeTypeInfo declaration();
    Values evaluate(const Values& inputs, const QVariantMap& parameters, RunContext& context) override;
};

}  // namespace irl::nodes::builtin
