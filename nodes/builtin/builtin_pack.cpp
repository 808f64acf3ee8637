#include "builtin_pack.h"

#include "builtin_values.h"
#include "data/dataset_node.h"
#include "data/load_image_node.h"
#include "learning/dxmi_trainer_node.h"
#include "learning/irl_trainer_node.h"
#include "learning/policy_node.h"
#include "learning/schedule_learner_node.h"
#include "models/denoiser_node.h"
#include "output/evaluate_node.h"
#include "output/preview_node.h"
#include "output/save_image_node.h"
#include "sampling/action_node.h"
#include "sampling/dxmi_sampler_node.h"
#include "sampling/sampler_node.h"
#include "sampling/schedule_node.h"
#include "sampling/schedule_tuner_node.h"

#include "irl/nodes/node_class.h"

#include <iterator>

namespace irl::nodes::builtin {
namespace {

// Every built-in node type, once: node_types() and create() both come from this list.
const NodeClassList& node_classes() {
    static const NodeClassList list{
        NodeClass::of<DenoiserNode>(),
        NodeClass::of<ScheduleNode>(),
        NodeClass::of<ScheduleTunerNode>(),
        NodeClass::of<ActionNode>(ActionKind::Guidance),
        NodeClass::of<ActionNode>(ActionKind::Churn),
        NodeClass::of<ActionNode>(ActionKind::Renoise),
        NodeClass::of<ActionNode>(ActionKind::Stochasticity),
        NodeClass::of<ActionNode>(ActionKind::Skip),
        NodeClass::of<ActionNode>(ActionKind::Start),
        NodeClass::of<ActionNode>(ActionKind::Next),
        NodeClass::of<SamplerNode>(),
        NodeClass::of<DxmiSamplerNode>(),
        NodeClass::of<PolicyNode>(),
        NodeClass::of<IrlTrainerNode>(),
        NodeClass::of<ScheduleLearnerNode>(),
        NodeClass::of<DxmiTrainerNode>(),
        NodeClass::of<DatasetNode>(),
        NodeClass::of<LoadImageNode>(),
        NodeClass::of<EvaluateNode>(),
        NodeClass::of<SaveImageNode>(),
        NodeClass::of<PreviewNode>(),
    };
    return list;
}

}  // namespace

QVector<PortTypeInfo> BuiltinPack::port_types() const {
    QVector<PortTypeInfo> types{
        {ports::denoiser, "Denoiser", "#b388ff", "A model that predicts the clean image from a noisy one"},
        {ports::schedule, "Schedule", "#4fc3f7", "The noise levels a sampler visits"},
        {ports::policy, "Policy", "#f06292", "A sampling policy: the actions of every step"},
        {ports::dataset, "Dataset", "#ffe052", "Real images or points, with their classes"},
        {ports::images, "Images", "#7cd37f", "Samples: images, or points for the 2-D toys"},
        {ports::metrics, "Metrics", "#b0bec5", "Scores of samples"},
        {ports::energy, "Energy", "#e57373", "A learned energy: low on data, high on what is unlike it"},
    };
    // The actions share a hue (orange), one shade each, so the canvas shows which kind a port takes.
    const char* shades[] = {"#ffa726", "#ff7043", "#ffca28", "#ffb74d", "#ff8a65", "#ffd54f", "#ffab91"};
    static_assert(std::size(kActionKinds) == 7, "one shade per action kind");
    int shade = 0;
    for (ActionKind kind : kActionKinds) {
        QString name = QString::fromLatin1(to_string(kind));
        name[0] = name[0].toUpper();
        types.push_back({ports::action(kind), name + " action", shades[shade++], "The " + QString::fromLatin1(to_string(kind)) +
                                                                                   " of every step, or the choices a policy learns"});
    }
    return types;
}

QVector<NodeTypeInfo> BuiltinPack::node_types() const { return node_classes().node_types(); }

std::unique_ptr<NodeEvaluator> BuiltinPack::create(const QString& type) const { return node_classes().create(type); }

}  // namespace irl::nodes::builtin
