// The DxMI Trainer node: a few-step sampler with learnable step noises and an energy model trained
// jointly (DxMI, issue #44), on the 2-D toys so far. Out come the fine-tuned denoiser (or the exact
// one, unchanged, when only the step noises learn), the energy, and the trained sampler's samples;
// the sampler and the energy are also written as files to the output folder.
#pragma once

#include "irl/nodes/node_pack.h"

namespace irl::nodes::builtin {

class DxmiTrainerNode : public NodeEvaluator {
public:
    static NodeTypeInfo declaration();
    Values evaluate(const Values& inputs, const QVariantMap& parameters, RunContext& context) override;
};

}  // namespace irl::nodes::builtin
