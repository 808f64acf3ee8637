// The Denoiser node: the bundled Fashion-MNIST U-Net, a TorchScript file with its sidecar, or the
// exact denoiser of a 2-D toy mixture (which also carries the toy's true data for plots and metrics).
#pragma once

#include "irl/nodes/node_pack.h"

namespace irl::nodes::builtin {

class DenoiserNode : public NodeEvaluator {
public:
    static NodeTypeInfo declaration();
    Values evaluate(const Values& inputs, const QVariantMap& parameters, RunContext& context) override;
};

}  // namespace irl::nodes::builtin
