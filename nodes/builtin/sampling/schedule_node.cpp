#include "schedule_node.h"

#include "node_support.h"

#include "irl/engine/sampling/schedule.h"

namespace irl::nodes::builtin {

NodeTypeInfo ScheduleNode::declaration() {
    using D = ScheduleDefaults;
    return {"irl.schedule", "Schedule", "Sampling", "The noise levels the sampler visits", {},
            {{"schedule", ports::schedule}},
            {ParameterSchema::choice("kind", "Kind", {"karras", "exponential"}, "karras"),
             ParameterSchema::integer("steps", "Steps", D::steps, 1, 1000, "Nonzero noise levels"),
             ParameterSchema::number("sigma_min", "σ min", D::sigma_min, 1e-5, 10.0),
             ParameterSchema::number("sigma_max", "σ max", D::sigma_max, 0.01, 1000.0),
             ParameterSchema::number("rho", "ρ", D::rho, 0.5, 20.0, "Karras spacing exponent").shown_if("kind", {"karras"})}};
}

Values ScheduleNode::evaluate(const Values&, const QVariantMap& p, RunContext&) {
    const int steps = p.value("steps").toInt();
    const double lo = p.value("sigma_min").toDouble(), hi = p.value("sigma_max").toDouble();
    ScheduleValue value;
    value.sigmas = p.value("kind").toString() == "exponential" ? exponential_schedule(steps, lo, hi)
                                                               : karras_schedule(steps, lo, hi, p.value("rho").toDouble());
    return {{"schedule", value}};
}

}  // namespace irl::nodes::builtin
