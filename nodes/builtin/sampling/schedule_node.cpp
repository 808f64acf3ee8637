#include "schedule_node.h"

#include "node_support.h"

#include "irl/engine/sampling/learned_schedule_file.h"
#include "irl/engine/sampling/schedule.h"

#include <memory>

namespace irl::nodes::builtin {

NodeTypeInfo ScheduleNode::declaration() {
    using D = ScheduleDefaults;
    return {"irl.schedule", "Schedule", "Sampling", "The noise levels the sampler visits", {},
            {{"schedule", ports::schedule}},
            {ParameterSchema::choice("kind", "Kind", as_qt(schedule_kind_names()), "karras",
                                     "custom: a pasted sigma list; learned: a file written by the Schedule Learner or learn-schedule"),
             ParameterSchema::integer("steps", "Steps", D::steps, 1, 1000, "Nonzero noise levels").shown_if("kind", {"karras", "exponential"}),
             ParameterSchema::number("sigma_min", "σ min", D::sigma_min, 1e-5, 10.0).shown_if("kind", {"karras", "exponential"}),
             ParameterSchema::number("sigma_max", "σ max", D::sigma_max, 0.01, 1000.0).shown_if("kind", {"karras", "exponential"}),
             ParameterSchema::number("rho", "ρ", D::rho, 0.5, 20.0, "Karras spacing exponent").shown_if("kind", {"karras"}),
             ParameterSchema::text("sigmas", "σ list", "80, 20, 5, 1.2, 0.3, 0.05",
                                   "Descending noise levels separated by commas (0 is appended); a list copied from ComfyUI works")
                 .shown_if("kind", {"custom"}),
             ParameterSchema::file("file", "Schedule file", "Learned schedules (*.irls)", "A schedule written by the Schedule Learner")
                 .shown_if("kind", {"learned"})}};
}

Values ScheduleNode::evaluate(const Values&, const QVariantMap& p, RunContext&) {
    const int steps = p.value("steps").toInt();
    const double lo = p.value("sigma_min").toDouble(), hi = p.value("sigma_max").toDouble();
    ScheduleValue value;
    switch (schedule_kind_from_string(p.value("kind").toString().toStdString())) {
    case ScheduleKind::Karras: value.sigmas = karras_schedule(steps, lo, hi, p.value("rho").toDouble()); break;
    case ScheduleKind::Exponential: value.sigmas = exponential_schedule(steps, lo, hi); break;
    case ScheduleKind::Custom: value.sigmas = parse_sigma_list(p.value("sigmas").toString().toStdString()); break;
    case ScheduleKind::Learned: {
        const std::string path = p.value("file").toString().toStdString();
        if (path.empty()) throw std::runtime_error("choose a schedule file (a learned schedule) for the Schedule node");
        auto learned = std::make_shared<const LearnedSchedule>(load_learned_schedule(path));
        value.sigmas = learned->sigmas;
        value.query_sigmas = learned->query_sigmas;
        value.learned = learned;
        break;
    }
    }
    return {{"schedule", value}};
}

}  // namespace irl::nodes::builtin
