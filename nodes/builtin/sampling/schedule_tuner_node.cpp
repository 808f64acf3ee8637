#include "schedule_tuner_node.h"

#include "node_support.h"

#include "irl/engine/learning/irl/sampler_comparison.h"
#include "irl/engine/sampling/sampler.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

namespace irl::nodes::builtin {

NodeTypeInfo ScheduleTunerNode::declaration() {
    NodeTypeInfo t{"irl.schedule_tuner", "Schedule Tuner", "Sampling",
                   "Searches the noise levels that score best for a solver at a fixed number of function evaluations",
                   {{"denoiser", ports::denoiser}, {"reference", ports::dataset, "The data to score against (use training images)"}},
                   {{"schedule", ports::schedule}}, {}};
    t.parameters = {ParameterSchema::choice("solver", "Solver", as_qt(solver_names()), "dpmpp-2m"),
                    ParameterSchema::integer("nfe", "Function evaluations", 5, 1, 1000, "Per sample; Heun spends 2 per step, 1 on the last"),
                    ParameterSchema::integer("grid", "Grid levels", 64, 4, 4096, "The fine Karras grid the levels are chosen from"),
                    ParameterSchema::integer("count", "Samples per trial", 500, 16, 100000),
                    ParameterSchema::integer("max_evaluations", "Search budget", 200000, 0, 2000000000,
                                             "Function evaluations the search may spend; 0: until no move improves"),
                    ParameterSchema::integer("seed", "Seed", 0, 0, 2147483647)};
    return t;
}

Values ScheduleTunerNode::evaluate(const Values& in, const QVariantMap& p, RunContext& context) {
    const DenoiserValue& model = input<DenoiserValue>(in, "denoiser");
    const DatasetValue& reference = input<DatasetValue>(in, "reference");
    const Solver solver = solver_from_string(p.value("solver").toString().toStdString());
    const int64_t count = p.value("count").toLongLong();
    // The engine's tuner on the engine's testbeds, scored against the reference: MMD^2 on a toy,
    // FD on images.
    const std::vector<uint64_t> seeds{static_cast<uint64_t>(p.value("seed").toLongLong())};
    Testbed tuning;
    if (model.toy) {
        // As many true points as samples, at least 1000 (when the reference has them).
        const int64_t points = std::min<int64_t>(reference.data.size(0), std::max<int64_t>(count, 1000));
        tuning = toy_testbed(*model.denoiser, *model.toy, reference.data.narrow(0, 0, points).to(torch::kFloat64), seeds, context.cancel);
        tuning.count = count;  // samples per trial, as the parameter says
    } else {
        tuning = reference_testbed(*model.denoiser, &reference, count, seeds, context.cancel);
    }
    const ScheduleSearchResult found =
        tune_schedule(tuning, solver, p.value("nfe").toInt(), p.value("grid").toInt(), p.value("max_evaluations").toLongLong(), [&](int trials) {
            if (context.progress) context.progress(context.node, std::min(1.0, double(trials) / 60.0), QString());
        });
    if (context.report) {
        context.report(context.node, "tuning_evaluations", double(found.evaluations));
        context.report(context.node, "tuning_trials", found.trials);
        context.report(context.node, QString::fromStdString(tuning.primary()), found.score);
    }
    ScheduleValue value;
    value.sigmas = found.sigmas;
    return {{"schedule", value}};
}

}  // namespace irl::nodes::builtin
