// The Evaluate node: scores samples (FD, precision, recall and class accuracy for images; the exact
// log density under the toy's data for 2-D points).
#pragma once

#include "irl/nodes/node_pack.h"

namespace irl::nodes::builtin {

class EvaluateNode : public NodeEvaluator {
public:
    static NodeTypeInfo declaration();
    Values evaluate(const Values& inputs, const QVariantMap& parameters, RunContext& context) override;
};

}  // namespace irl::nodes::builtin
