#include "action_node.h"

#include "node_support.h"

namespace irl::nodes::builtin {
namespace {

struct ActionDeclaration {
    const char* id;
    const char* name;
    double value, min, max;
    const char* choices;
    const char* tooltip;
};

ActionDeclaration describe(ActionKind kind) {
    switch (kind) {
    case ActionKind::Guidance: return {"irl.guidance", "Guidance", 1.0, 0.0, 20.0, "1,1.5,2,3", "Classifier-free guidance scale w"};
    case ActionKind::Churn:
        return {"irl.churn", "Churn", 0.0, 0.0, 1.0, "0,0.1,0.25", "Churn γ: raise σ to σ(1+γ) with fresh noise before the step (Euler, Heun)"};
    case ActionKind::Renoise: return {"irl.renoise", "Renoise", 0.0, 0.0, 10.0, "0,1,2", "Jump back up k levels of the schedule"};
    case ActionKind::Stochasticity:
        return {"irl.stochasticity", "Stochasticity", 0.0, 0.0, 5.0, "0,0.5,1", "gDDIM stochasticity λ: 0 = DDIM, 1 = ancestral"};
    case ActionKind::Skip:
        return {"irl.skip", "Skip", 1.0, 1.0, 1000.0, "1,2,4,8",
                "Step down k levels of the schedule: with a fine schedule and a budget, a policy chooses the noise levels"};
    case ActionKind::Start:
        return {"irl.start", "Start", 0.0, 0.0, 1000.0, "80,20,10,5",
                "The σ to start from (the noise is scaled down, no evaluation); 0: the schedule's first level"};
    case ActionKind::Next:
        return {"irl.next", "Next level", 1.0, 0.05, 20.0, "0.8,1,1.25",
                "The next level's σ times this, per sample (at most half-way to its neighbours): a policy adjusts a good schedule"};
    }
    throw std::logic_error("unknown action kind");
}

}  // namespace

NodeTypeInfo ActionNode::declaration(ActionKind kind) {
    const ActionDeclaration d = describe(kind);
    return {d.id, d.name, "Actions", d.tooltip, {}, {{"action", ports::action(kind)}},
            {ParameterSchema::number("value", "Value", d.value, d.min, d.max, "Used at every step by a fixed sampler"),
             ParameterSchema::text("choices", "Choices", d.choices, "Comma-separated values a learned policy picks from"),
             ParameterSchema::number("sigma_min", "Policy from σ", 0.0, 0.0, 1000.0,
                                     "A learned policy chooses only at noise levels from this σ..."),
             ParameterSchema::number("sigma_max", "Policy to σ", 1000.0, 0.0, 1000.0, "...up to this one; elsewhere Value applies")}};
}

Values ActionNode::evaluate(const Values&, const QVariantMap& p, RunContext&) {
    ActionValue value{kind_, p.value("value").toDouble(), parse_choices(p.value("choices").toString()), p.value("sigma_min").toDouble(),
                      p.value("sigma_max").toDouble()};
    if (value.sigma_min > value.sigma_max) throw std::runtime_error("Policy from σ is above Policy to σ");
    return {{"action", value}};
}

}  // namespace irl::nodes::builtin
