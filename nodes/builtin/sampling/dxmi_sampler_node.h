// The DxMI Sampler node: a trained DxMI few-step sampler from its file (a DxMI Trainer's or
// train-dxmi's), sampling with the denoiser the file names or holds.
#pragma once

#include "irl/nodes/node_pack.h"

namespace irl::nodes::builtin {

class DxmiSamplerNode : public NodeEvaluator {
public:
    static NodeTypeInfo declaration();
    Values evaluate(const Values& inputs, const QVariantMap& parameters, RunContext& context) override;
};

}  // namespace irl::nodes::builtin
