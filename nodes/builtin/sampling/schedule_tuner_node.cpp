#include "schedule_tuner_node.h"

#include "node_support.h"

#include "irl/engine/core/random.h"
#include "irl/engine/metrics/sample_metrics.h"
#include "irl/engine/sampling/sampler.h"
#include "irl/engine/sampling/schedule.h"
#include "irl/engine/sampling/schedule_search.h"

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
    const int nfe = p.value("nfe").toInt();
    ScheduleSearchOptions options;
    options.grid = karras_schedule(p.value("grid").toInt(), ScheduleDefaults::sigma_min, ScheduleDefaults::sigma_max);
    options.steps = solver == Solver::Heun ? (nfe + 1) / 2 : nfe;
    options.max_evaluations = p.value("max_evaluations").toLongLong();
    const int64_t count = p.value("count").toLongLong();
    const int64_t classes = model.denoiser->num_classes();
    SampleRequest request;
    request.count = count;
    request.seed = static_cast<uint64_t>(p.value("seed").toLongLong());
    request.cancel = context.cancel;
    if (classes > 0 && !model.toy) request.labels = torch::arange(count, torch::kInt64) % classes;
    if (model.toy) request.dtype = torch::kFloat64;
    const torch::Tensor real = reference.data.narrow(0, 0, std::min<int64_t>(reference.data.size(0), std::max<int64_t>(count, 1000)));
    int trials = 0;
    const ScheduleSearchResult found = search_schedule(options, [&](const std::vector<double>& sigmas) {
        SamplerSettings settings;
        settings.solver = solver;
        settings.sigmas = sigmas;
        const SampleResult result = sample(*model.denoiser, settings, request);
        const double metric = model.toy ? mmd_squared(result.samples, real.to(torch::kFloat64), {0.05, 0.2, 1.0})
                                        : score_against(result.samples, request.labels.defined() ? request.labels : torch::full({count}, int64_t(-1)), &reference).fd;
        if (context.progress) context.progress(context.node, std::min(1.0, double(++trials) / 60.0), QString());
        return std::pair<double, int64_t>(metric, result.evaluations.sum().item<int64_t>());
    });
    if (context.report) {
        context.report(context.node, "tuning_evaluations", double(found.evaluations));
        context.report(context.node, "tuning_trials", found.trials);
        context.report(context.node, model.toy ? "mmd2" : "fd", found.score);
    }
    return {{"schedule", ScheduleValue{found.sigmas}}};
}

}  // namespace irl::nodes::builtin
