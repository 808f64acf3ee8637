#include "schedule_learner_node.h"

#include "node_support.h"

#include "irl/engine/learning/schedule_fit/feature_distance.h"
#include "irl/engine/learning/schedule_fit/schedule_fit.h"
#include "irl/engine/sampling/learned_schedule_file.h"
#include "irl/nodes/output_paths.h"

#include <cmath>
#include <memory>

namespace irl::nodes::builtin {
namespace {

QVector<double> as_vector(const std::vector<double>& values, size_t count) {
    QVector<double> out;
    for (size_t i = 0; i < count && i < values.size(); ++i) out << values[i];
    return out;
}

TrainingReport report_of(const ScheduleFitProgress& p, const std::vector<double>& warm_start, const DenoiserValue& model,
                         const QString& node) {
    TrainingReport report;
    report.node = node;
    report.iteration = static_cast<int>(p.iteration);
    report.total = static_cast<int>(p.iterations);
    report.curves = {{"Distance to the teacher", "loss", "batch", p.loss, false}};
    if (p.validated) {
        report.curves.push_back({"Distance to the teacher", "validation", "held-out pairs", p.validation, false});
        report.curves.push_back({"Distance to the teacher", "best_validation", "best", p.best_validation, false});
    }
    // The levels now against where the fit started, step by step (the final 0 left out), and each
    // level's path over the iterations on a log scale.
    const size_t levels = p.sigmas.empty() ? 0 : p.sigmas.size() - 1;
    for (size_t i = 0; i < levels; ++i)
        report.curves.push_back({"Levels (log10 σ)", QString("log10_sigma_%1").arg(i + 1), QString("σ%1").arg(i + 1), std::log10(p.sigmas[i]), false});
    report.profiles << StepProfile{"sigmas", "σ of each step", as_vector(p.sigmas, levels)}
                    << StepProfile{"query_sigmas", "σ the denoiser is queried at", as_vector(p.query_sigmas, levels)}
                    << StepProfile{"warm_start", "σ of the warm start", as_vector(warm_start, levels)};
    if (p.validated && p.samples.defined()) {
        report.samples_png = picture_of(p.samples, model.toy);
        report.samples_caption = model.toy ? "the learned levels from held-out start noises (orange) over the true data (grey)"
                                           : "the learned levels from held-out start noises";
    }
    report.status = QString("Iteration %1 of %2 · distance %3 · best held-out %4 · %5 function evaluations so far")
                        .arg(p.iteration)
                        .arg(p.iterations)
                        .arg(p.loss, 0, 'g', 4)
                        .arg(p.best_validation, 0, 'g', 4)
                        .arg(p.evaluations);
    return report;
}

}  // namespace

NodeTypeInfo ScheduleLearnerNode::declaration() {
    const ScheduleFitOptions d;
    NodeTypeInfo t{"irl.schedule_learner", "Schedule Learner", "Learning",
                   "Learns the noise levels of a few-step solver by matching a many-step teacher through the solver",
                   {{"denoiser", ports::denoiser}},
                   {{"schedule", ports::schedule}},
                   {ParameterSchema::choice("solver", "Solver", {"euler", "heun", "dpmpp-2m"}, "dpmpp-2m"),
                    ParameterSchema::integer("nfe", "NFE", d.nfe, 1, 100, "Function evaluations of the learned sampler (Heun: odd)"),
                    ParameterSchema::boolean("shifts", "Query shifts", d.shifts,
                                             "Also learn where each step queries the denoiser (a plain σ list for ComfyUI cannot carry them)"),
                    ParameterSchema::boolean("learn_sigma_max", "Learn σ_max", d.learn_sigma_max,
                                             "Off: the first level stays at the warm start's and only the levels below it move"),
                    ParameterSchema::integer("teacher_nfe", "Teacher NFE", d.teacher_nfe, 3, 10001, "Heun on a Karras schedule (odd)"),
                    ParameterSchema::integer("pairs", "Teacher pairs", d.pairs, 1, 100000),
                    ParameterSchema::integer("validation_pairs", "Held-out pairs", d.validation_pairs, 1, 100000,
                                             "They choose the warm start and keep the best levels"),
                    ParameterSchema::integer("batch", "Batch", d.batch, 1, 100000, "Pairs per iteration"),
                    ParameterSchema::integer("iterations", "Iterations", 200, 1, 1000000),
                    ParameterSchema::number("lr", "Learning rate", d.learning_rate, 1e-6, 1.0),
                    ParameterSchema::choice("distance", "Distance", {"features", "pixels"}, "features",
                                            "How the samples are brought to the teacher's: in a feature network's features "
                                            "(better on average on Fashion-MNIST at 5 NFE, docs/schedules.md), or in pixels"),
                    ParameterSchema::file("distance_features", "Feature network", "Feature networks (*.features *.pt)",
                                          "A network of irlstudio-cli train-features, never the one that scores the result. Empty: "
                                          "the bundled Fashion-MNIST judge for 1x28x28 models; other models without one are matched "
                                          "in pixels")
                        .shown_if("distance", {"features"}),
                    ParameterSchema::number("soft_teacher", "Soft teacher radius", d.soft_teacher, 0.0, 1.0,
                                            "The student's start noise may move this far (× σ_max √d) from the teacher's; 0: off"),
                    ParameterSchema::integer("validate_every", "Validate every", 5, 1, 1000000),
                    ParameterSchema::integer("seed", "Seed", 0, 0, 2147483647),
                    ParameterSchema::text("checkpoint", "Checkpoint", "", "A file in the output folder to checkpoint to and resume from (optional)"),
                    ParameterSchema::boolean("resume", "Resume", true, "Continue from the checkpoint when it exists"),
                    ParameterSchema::text("save", "Save as", "", "The schedule file written at the end, in the output folder; empty: <node>-schedule.irls")}};
    t.traits.interactive_training = true;
    // "Use result": the schedule on a Sampler with the denoiser and solver it was fitted for.
    t.traits.output_file = OutputFile{"save",        "{node}-schedule.irls", "irl.schedule", "file", {{"kind", "learned"}}, "schedule",
                                      "irl.sampler", "schedule",             {"denoiser"},   {"solver"},   {}};
    return t;
}

Values ScheduleLearnerNode::evaluate(const Values& in, const QVariantMap& p, RunContext& context) {
    const DenoiserValue& model = input<DenoiserValue>(in, "denoiser");
    ScheduleFitOptions options;
    options.solver = solver_from_string(p.value("solver").toString().toStdString());
    options.nfe = p.value("nfe").toLongLong();
    options.shifts = p.value("shifts").toBool();
    options.learn_sigma_max = p.value("learn_sigma_max", true).toBool();
    options.teacher_nfe = p.value("teacher_nfe").toLongLong();
    options.pairs = p.value("pairs").toLongLong();
    options.validation_pairs = p.value("validation_pairs").toLongLong();
    options.batch = std::min<int64_t>(p.value("batch").toLongLong(), options.pairs);
    options.learning_rate = p.value("lr").toDouble();
    options.soft_teacher = p.value("soft_teacher").toDouble();
    options.seed = static_cast<uint64_t>(p.value("seed").toLongLong());
    options.conditional = !model.toy;
    if (model.toy) options.dtype = torch::kFloat64;
    options.run.iterations = p.value("iterations").toLongLong();
    options.run.evaluate_every = p.value("validate_every").toLongLong();
    if (p.value("distance", "features").toString() == "features") {
        const std::string named = p.value("distance_features").toString().toStdString();
        const std::string features = named.empty() ? default_feature_network(*model.denoiser) : named;
        if (!features.empty()) use_feature_distance(options, features, *model.denoiser);
        else if (!model.toy && context.notice)
            context.notice(context.node, "no feature network for this model's pictures: matched in pixels (irlstudio-cli "
                                         "train-features makes one from your pictures)");
    }
    options.schedule_file = output_file_path(*declaration().traits.output_file, context.node, p, context.output_dir).toStdString();
    // A named checkpoint is written every 20 iterations and at the end, and resumed; the default
    // one only on a stop, a cancel or a request from the window.
    const CheckpointPlace checkpoint = checkpoint_of(p, context, "Schedule Learner");
    options.run.checkpoint = checkpoint.path.toStdString();
    options.run.checkpoint_every = checkpoint.named ? 20 : 0;
    options.run.resume = checkpoint.named && p.value("resume").toBool();
    if (context.progress) context.progress(context.node, 0.0, "the teacher samples its pairs");
    ScheduleFit fit(*model.denoiser, options, context.cancel);
    const std::vector<double> warm_start = fit.result().warm_start;

    ScheduleFitControl control;
    steer_from_window(control, context);
    control.on_iteration = [&](const ScheduleFitProgress& progress) {
        if (context.training_report) context.training_report(report_of(progress, warm_start, model, context.node));
        if (context.progress) context.progress(context.node, double(progress.iteration) / double(progress.iterations), QString());
    };
    const ScheduleFitResult result = fit.run(control);
    if (context.report) {
        context.report(context.node, "iterations", static_cast<double>(result.iterations));
        context.report(context.node, "validation_loss", result.best_validation);
        context.report(context.node, "warm_start_validation_loss", result.warm_start_validation);
        context.report(context.node, "training_evaluations",
                       static_cast<double>(result.teacher_evaluations + result.screen_evaluations + result.fit_evaluations));
    }
    auto learned = std::make_shared<const LearnedSchedule>(load_learned_schedule(options.schedule_file));
    ScheduleValue value;
    value.sigmas = learned->sigmas;
    value.query_sigmas = learned->query_sigmas;
    value.learned = learned;
    return {{"schedule", value}};
}

}  // namespace irl::nodes::builtin
