#include "sampler_node.h"

#include "node_support.h"

#include "irl/engine/learning/irl/irl_trainer.h"
#include "irl/engine/sampling/sampler.h"
#include "irl/nodes/seed_rules.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace irl::nodes::builtin {
namespace {

// The live view of one step: x_t scaled to unit variance (so that the noisy state reads as an
// image at every level) and D(x_t).
SamplingPreview preview_of(const StepPreview& step, int64_t levels, const DenoiserValue& model, const QString& node,
                           const torch::Tensor& labels) {
    SamplingPreview preview;
    preview.node = node;
    preview.step = static_cast<int>(step.iteration);
    preview.total = static_cast<int>(levels);
    preview.sigma = step.sigma.numel() ? step.sigma.max().item<double>() : 0.0;
    preview.points = step.x.dim() == 2;
    const torch::Tensor shown = preview.points ? step.x : step.x / std::sqrt(1.0 + preview.sigma * preview.sigma);
    preview.state_png = picture_of(shown, model.toy);
    preview.denoised_png = picture_of(step.denoised, model.toy);
    if (!preview.points) {
        preview.shown = static_cast<int>(std::min<int64_t>(step.x.size(0), 64));
        preview.columns = static_cast<int>(std::ceil(std::sqrt(double(preview.shown))));
        for (int i = 0; i < preview.shown; ++i) preview.labels << (labels.defined() ? static_cast<int>(labels[i].item<int64_t>()) : -1);
    }
    return preview;
}

}  // namespace

NodeTypeInfo SamplerNode::declaration() {
    NodeTypeInfo t{"irl.sampler", "Sampler", "Sampling", "Runs the sampler from pure noise, or from a start picture, to images",
                   {{"denoiser", ports::denoiser}, {"schedule", ports::schedule}}, {{"images", ports::images}}, {}};
    for (ActionKind kind : kActionKinds)
        t.inputs.push_back({action_port_name(kind), ports::action(kind), QString("The %1 of every step").arg(to_string(kind)), true});
    t.inputs.push_back({"policy", ports::policy, "A learned policy: chooses the actions at every step", true});
    t.inputs.push_back({"picture", ports::images, "A start picture: the samples start from it, noised to the start σ (image-to-image)", true});
    t.parameters = {ParameterSchema::choice("solver", "Solver", as_qt(solver_names()), "heun"),
                    ParameterSchema::integer("count", "Count", 16, 1, 100000, "How many samples"),
                    ParameterSchema::integer("seed", "Seed", 0, 0, 2147483647),
                    seed_rule_parameter(),
                    batch_parameter(),
                    ParameterSchema::integer("class", "Class", -1, -2, 1000,
                                             "-1: every class in turn (unconditional for toys); -2: no class (unconditional)"),
                    ParameterSchema::integer("renoise_cap", "Renoise cap", -1, -1, 10000, "-1: as many levels as the schedule"),
                    ParameterSchema::integer("budget", "Budget", kNoBudget, kNoBudget, 100000,
                                             "Most function evaluations per sample (the last step goes to σ = 0 when it is spent); -1: none"),
                    ParameterSchema::number("strength", "Strength", 1.0, 0.0, 1.0,
                                            "With a start picture: how much is redrawn (ComfyUI's denoise). The start σ is the schedule's "
                                            "level at this fraction of its levels, from the lowest (0) to the highest (1)"),
                    ParameterSchema::number("start_sigma", "Start σ", -1.0, -1.0, 1000.0,
                                            "With a start picture: the σ it is noised to, which wins over Strength (snapped to the highest "
                                            "level at or below it); 0 returns the picture itself; -1: from Strength")};
    return t;
}

Values SamplerNode::evaluate(const Values& in, const QVariantMap& p, RunContext& context) {
    const DenoiserValue& model = input<DenoiserValue>(in, "denoiser");
    const ScheduleValue& schedule = input<ScheduleValue>(in, "schedule");
    SamplerSettings settings;
    settings.solver = solver_from_string(p.value("solver").toString().toStdString());
    settings.sigmas = schedule.sigmas;
    settings.query_sigmas = schedule.query_sigmas;
    if (schedule.learned && context.notice) {
        // A learned schedule suits the model and the solver it was fitted for; say so when they differ.
        const std::string other_model = learned_schedule_mismatch(*schedule.learned, *model.denoiser);
        if (!other_model.empty()) context.notice(context.node, QString::fromStdString(other_model));
        if (schedule.learned->solver != settings.solver)
            context.notice(context.node, QString("the schedule was fitted for %1, and this Sampler uses %2")
                                             .arg(to_string(schedule.learned->solver), to_string(settings.solver)));
    }
    settings.renoise_cap = p.value("renoise_cap").toLongLong();
    settings.budget = p.value("budget").toLongLong();
    for (ActionKind kind : kActionKinds)
        if (const ActionValue* action = action_input(in, kind)) set_control(settings.fixed, kind, action->value);

    SampleRequest request;
    request.count = p.value("count").toLongLong();
    request.seed = static_cast<uint64_t>(p.value("seed").toLongLong());
    request.cancel = context.cancel;
    const int64_t classes = model.denoiser->num_classes();
    const int64_t label = p.value("class").toLongLong();
    if (label >= 0) {
        if (label >= classes)
            throw std::runtime_error("class " + std::to_string(label) + " is out of range: the denoiser has " + std::to_string(classes) +
                                     " classes");
        request.labels = torch::full({request.count}, label, torch::kInt64);
    } else if (label == -1 && classes > 0 && !model.toy) {
        request.labels = classes_in_turn(request.count, classes);
    }
    if (settings.fixed.guidance != 1.0 && !request.labels.defined())
        throw std::runtime_error("guidance needs a class: set the Sampler's class, or use a class-conditional denoiser");
    // The steps the preview counts: every level, or from a start picture those at or below its start σ.
    int64_t levels = static_cast<int64_t>(settings.sigmas.size()) - 1;
    request.preview_interval_ms = 100;
    const QString node = context.node;
    request.on_step = [&](const StepPreview& step) {
        if (context.progress) context.progress(node, step.progress, QString());
        if (context.sampling_preview) context.sampling_preview(preview_of(step, levels, model, node, request.labels));
    };
    if (const ImagesValue* start = optional_input<ImagesValue>(in, "picture")) {
        // One start picture per sample: the given ones in turn.
        const int64_t given = start->samples.size(0);
        if (given == 0) throw std::runtime_error("the picture input holds no picture");
        const torch::Tensor rows = torch::arange(request.count, torch::kInt64).remainder(given);
        request.start_image = start->samples.index_select(0, rows);
        const double start_sigma = p.value("start_sigma").toDouble();
        request.start_sigma = start_sigma >= 0.0 ? start_sigma : strength_to_sigma(settings.sigmas, p.value("strength").toDouble());
        levels = std::max<int64_t>(1, std::count_if(settings.sigmas.begin(), settings.sigmas.end() - 1,
                                                    [&](double sigma) { return sigma <= request.start_sigma; }));
    }
    SampleResult result;
    if (const PolicyValue* policy = optional_input<PolicyValue>(in, "policy")) {
        const std::string differences = policy->setup.differences(PolicySetup::of(*model.denoiser, settings));
        if (!differences.empty()) throw std::runtime_error("the policy was trained for another setup:\n" + differences);
        result = rollout_policy(*model.denoiser, *policy->policy, settings, request, policy->temperature, false).result;
    } else {
        result = sample(*model.denoiser, settings, request);
    }
    if (context.report) {
        context.report(node, "nfe", result.nfe);
        context.report(node, "sampling_seconds", result.seconds);
    }
    ImagesValue images{result.samples, request.labels.defined() ? request.labels : torch::full({request.count}, int64_t(-1)), result.nfe,
                       model.toy};
    return {{"images", images}};
}

}  // namespace irl::nodes::builtin
