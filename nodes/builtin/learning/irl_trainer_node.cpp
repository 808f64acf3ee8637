#include "irl_trainer_node.h"

#include "node_support.h"

#include "irl/engine/core/random.h"
#include "irl/engine/io/atomic_file.h"
#include "irl/engine/learning/irl/irl_trainer.h"
#include "irl/engine/metrics/sample_metrics.h"
#include "irl/nodes/output_paths.h"

#include <QDir>
#include <QFileInfo>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <chrono>
#include <thread>

namespace irl::nodes::builtin {
namespace {

constexpr uint64_t kEvaluationSeed = 4242;

IrlOptions options_from(const QVariantMap& p, const ScheduleValue& schedule, const DenoiserValue& model) {
    IrlOptions options;
    options.sampler.solver = solver_from_string(p.value("solver").toString().toStdString());
    options.sampler.sigmas = schedule.sigmas;
    options.sampler.renoise_cap = p.value("renoise_cap").toLongLong();
    options.sampler.budget = p.value("budget").toLongLong();
    options.divergence = {divergence_from_string(p.value("divergence").toString().toStdString()), p.value("pr_lambda").toDouble()};
    options.batch = p.value("batch").toLongLong();
    options.policy_lr = p.value("policy_lr").toDouble();
    options.entropy_bonus = p.value("entropy").toDouble();
    options.nfe_cost = p.value("nfe_cost").toDouble();
    options.seed = static_cast<uint64_t>(p.value("seed").toLongLong());
    options.discriminator_steps = p.value("discriminator_steps").toLongLong();
    options.conditional = !model.toy && p.value("labels").toString() != "unconditional";
    return options;
}

// The choices of every connected action input, each from the port of its kind.
ActionSpace action_space_from(const Values& in) {
    ActionSpace space;
    for (ActionKind kind : kActionKinds)
        if (const ActionValue* action = action_input(in, kind))
            space.components.push_back({kind, action->choices, action->sigma_min, action->sigma_max});
    if (space.components.empty()) throw std::runtime_error("connect at least one action (its choices are what the policy learns)");
    return space;
}

// Toys: exact mean log density under the true data and FD against fresh true samples.
// Images: FD, precision and recall against the expert data through the metrics classifier.
QVariantMap policy_metrics(const SampleResult& samples, const DenoiserValue& model, const DatasetValue& expert) {
    QVariantMap numbers;
    if (model.toy) {
        const torch::Tensor tiny = torch::full({samples.samples.size(0)}, 1e-3, torch::kFloat64);
        numbers.insert("mean_log_density", model.toy->log_density(samples.samples, tiny).mean().item<double>());
        at::Generator g = make_generator(777);
        numbers.insert("fd", frechet_distance(samples.samples, model.toy->sample(std::max<int64_t>(1000, samples.samples.size(0)), g)));
    } else {
        const ImageScores scores = score_against(samples.samples, torch::full({samples.samples.size(0)}, int64_t(-1)), &expert);
        numbers.insert("fd", scores.fd);
        numbers.insert("precision", scores.precision);
        numbers.insert("recall", scores.recall);
    }
    numbers.insert("eval_nfe", samples.nfe);
    return numbers;
}

TrainingReport report_of(const IrlIteration& last, const IrlTrainer& trainer, const ActionSpace& space, const ScheduleValue& schedule,
                         int64_t iterations, const QString& node) {
    TrainingReport report;
    report.node = node;
    report.iteration = static_cast<int>(last.iteration);
    report.total = static_cast<int>(iterations);
    report.curves = {{"Discriminator", "discriminator_loss", "loss", last.discriminator_loss, false},
                     {"Discriminator", "discriminator_accuracy", "accuracy", last.discriminator_accuracy, true},
                     {"Mean reward", "mean_reward", "reward", last.mean_reward, false},
                     {"Policy entropy", "entropy", "entropy (nats)", last.entropy, false}};
    for (size_t c = 0; c < space.components.size(); ++c) {
        ChoiceTable table;
        table.component = QString::fromLatin1(to_string(space.components[c].kind));
        for (double v : space.components[c].choices) table.choices << v;
        const torch::Tensor probabilities = last.action_probabilities[c].contiguous();
        for (int64_t level = 0; level < probabilities.size(0); ++level) {
            QVector<double> row;
            for (int64_t k = 0; k < probabilities.size(1); ++k) row << probabilities[level][k].item<double>();
            table.probabilities << row;
            // Outside the component's noise-level range the policy does not choose.
            const double sigma = schedule.sigmas[static_cast<size_t>(level)];
            table.sigmas << sigma;
            table.active << (sigma >= space.components[c].sigma_min && sigma <= space.components[c].sigma_max);
        }
        report.tables << table;
    }
    report.status = QString("Iteration %1 of %2 · discriminator accuracy %3 · %4 function evaluations so far")
                        .arg(last.iteration)
                        .arg(iterations)
                        .arg(last.discriminator_accuracy, 0, 'f', 2)
                        .arg(trainer.total_evaluations());
    return report;
}

void add_evaluation(TrainingReport& report, const QVariantMap& metrics, const QByteArray& samples_png) {
    const bool toy = metrics.contains("mean_log_density");
    report.curves.push_back({"Evaluation", "fd", "FD", metrics.value("fd").toDouble(), false});
    if (toy) {
        report.curves.push_back({"Evaluation", "mean_log_density", "log density", metrics.value("mean_log_density").toDouble(), true});
    } else {
        report.curves.push_back({"Evaluation", "precision", "precision", metrics.value("precision").toDouble(), true});
        report.curves.push_back({"Evaluation", "recall", "recall", metrics.value("recall").toDouble(), true});
    }
    report.status += QString(" · FD %1").arg(metrics.value("fd").toDouble(), 0, 'g', 4);
    report.samples_png = samples_png;
    report.samples_caption = toy ? "greedy policy (white) over the true data (grey)" : "greedy policy samples";
}

// Where training resumes from after a stop, a crash or a cancel: the Checkpoint parameter, or
// <node>-checkpoint.pt in the output folder when it is empty (written, never resumed by itself).
struct CheckpointPlace {
    QString path;
    bool named = false;
};

CheckpointPlace checkpoint_of(const QVariantMap& p, const RunContext& context) {
    const QString name = p.value("checkpoint").toString();
    if (name.isEmpty()) return {output_path(context.output_dir, context.node + "-checkpoint.pt", "the checkpoint file name"), false};
    return {output_path(context.output_dir, name, "the IRL Trainer's checkpoint file name"), true};
}

// Waits while the window has training paused, serving checkpoint requests; returns at resume,
// stop or cancel, and the seconds it waited.
double wait_while_paused(TrainingControl* control, const RunContext& context, const std::function<void()>& save_checkpoint) {
    const auto start = std::chrono::steady_clock::now();
    while (control && control->paused && !(context.cancel && context.cancel->cancelled()) && !control->stop) {
        if (control->checkpoint_requests.exchange(0) > 0) save_checkpoint();
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

NodeTypeInfo IrlTrainerNode::declaration() {
    NodeTypeInfo t{"irl.irl_trainer", "IRL Trainer", "Learning",
                   "Learns a policy by inverse RL: matches the sampler's states to the dataset's at every noise level",
                   {{"denoiser", ports::denoiser}, {"schedule", ports::schedule}, {"expert", ports::dataset}},
                   {{"policy", ports::policy}}, {}};
    for (ActionKind kind : kActionKinds)
        t.inputs.push_back({action_port_name(kind), ports::action(kind), QString("The %1 choices the policy learns").arg(to_string(kind)), true});
    t.parameters = {
        ParameterSchema::choice("solver", "Solver", as_qt(solver_names()), "heun"),
        ParameterSchema::choice("policy", "Policy", {"table", "network"}, "table"),
        ParameterSchema::choice("divergence", "Divergence", as_qt(divergence_names()), "jensen-shannon"),
        ParameterSchema::number("pr_lambda", "PR λ", 1.0, 0.01, 100.0, "The precision-recall divergence's trade-off")
            .shown_if("divergence", {"precision-recall"}),
        ParameterSchema::integer("iterations", "Iterations", 100, 1, 100000),
        ParameterSchema::integer("batch", "Batch", 256, 2, 100000, "Trajectories per iteration"),
        ParameterSchema::number("policy_lr", "Policy learning rate", 0.03, 1e-5, 1.0),
        ParameterSchema::number("entropy", "Entropy bonus", 0.01, 0.0, 10.0),
        ParameterSchema::number("nfe_cost", "Cost per evaluation", 0.0, 0.0, 10.0),
        ParameterSchema::integer("seed", "Seed", 0, 0, 2147483647),
        ParameterSchema::integer("discriminator_steps", "Discriminator steps", 2, 1, 1000, "Discriminator updates per iteration"),
        ParameterSchema::choice("labels", "Labels", {"every class", "unconditional"}, "every class",
                                "unconditional: the sampler gets no class, e.g. to learn to correct its class balance toward the expert's"),
        ParameterSchema::integer("renoise_cap", "Renoise cap", -1, -1, 10000, "-1: as many levels as the schedule"),
        ParameterSchema::integer("budget", "Budget", -1, -1, 100000,
                                 "Most function evaluations per trajectory; with a Skip action the policy chooses the schedule within it"),
        ParameterSchema::integer("eval_every", "Evaluate every", 10, 0, 100000,
                                 "Iterations between evaluations (FD, precision, recall, samples); 0: never"),
        ParameterSchema::integer("eval_count", "Evaluation samples", 256, 16, 100000),
        ParameterSchema::text("checkpoint", "Checkpoint", "", "A file in the output folder to checkpoint to and resume from (optional)"),
        ParameterSchema::boolean("resume", "Resume", true, "Continue from the checkpoint when it exists"),
        ParameterSchema::text("save", "Save as", "", "The policy file written when training ends, in the output folder; empty: <node>-policy.pt")};
    t.renamed_parameters = {{"lambda", "pr_lambda"}};
    t.traits.interactive_training = true;
    t.traits.output_file = OutputFile{"save", "{node}-policy.pt", "irl.policy", "file", {}, "policy"};
    return t;
}

Values IrlTrainerNode::evaluate(const Values& in, const QVariantMap& p, RunContext& context) {
    const DenoiserValue& model = input<DenoiserValue>(in, "denoiser");
    const ScheduleValue& schedule = input<ScheduleValue>(in, "schedule");
    const DatasetValue& expert = input<DatasetValue>(in, "expert");
    const IrlOptions options = options_from(p, schedule, model);
    const ActionSpace space = action_space_from(in);
    const int64_t levels = static_cast<int64_t>(schedule.sigmas.size()) - 1;
    std::shared_ptr<Policy> policy;
    const int64_t budget = std::max<int64_t>(0, options.sampler.budget);
    if (p.value("policy").toString() == "network")
        policy = std::make_shared<NetworkPolicy>(space, levels, model.denoiser->sample_shape(), model.denoiser->num_classes(), 64, options.seed,
                                                 budget);
    else
        policy = std::make_shared<TablePolicy>(space, levels, budget);
    IrlTrainer trainer(*model.denoiser, policy, expert.data, options);
    const PolicySetup setup = PolicySetup::of(*model.denoiser, options.sampler);

    // Both outputs are checked before training, so that a bad name fails now and not after hours.
    const QString policy_file = output_file_path(*declaration().traits.output_file, context.node, p, context.output_dir);
    const CheckpointPlace checkpoint = checkpoint_of(p, context);
    check_writable(policy_file.toStdString());
    check_writable(checkpoint.path.toStdString());
    if (checkpoint.named && p.value("resume").toBool() && QFileInfo::exists(checkpoint.path))
        trainer.load_checkpoint(checkpoint.path.toStdString(), setup.to_json());
    auto write_checkpoint = [&] { trainer.save_checkpoint(checkpoint.path.toStdString(), setup.to_json()); };
    // Asked for from the window: written, and said where.
    auto save_checkpoint = [&] {
        write_checkpoint();
        if (context.notice)
            context.notice(context.node, QString("checkpoint of iteration %1 written to %2").arg(trainer.iterations()).arg(checkpoint.path));
    };
    auto save_policy_file = [&](bool partial) {
        const nlohmann::json facts = {{"iterations", trainer.iterations()}, {"training_evaluations", trainer.total_evaluations()},
                                      {"partial", partial}};
        save_policy(*policy, setup, policy_file.toStdString(), facts.dump());
    };

    const int64_t iterations = p.value("iterations").toLongLong();
    const int64_t eval_every = p.value("eval_every").toLongLong();
    const int64_t eval_count = p.value("eval_count").toLongLong();
    TrainingControl* control = context.training;
    IrlIteration last;
    QVariantMap last_metrics;
    double paused_seconds = 0.0;
    try {
        while (trainer.iterations() < iterations) {
            paused_seconds += wait_while_paused(control, context, save_checkpoint);
            if (context.cancel) context.cancel->throw_if_cancelled();
            if (control && control->stop) break;
            last = trainer.iterate(context.cancel);
            TrainingReport report = report_of(last, trainer, space, schedule, iterations, context.node);
            if (eval_every > 0 && (last.iteration % eval_every == 0 || last.iteration == iterations)) {
                const SampleResult samples = trainer.sample_greedy(eval_count, kEvaluationSeed, context.cancel, true);
                last_metrics = policy_metrics(samples, model, expert);
                // The noise levels the greedy policy took (the first sample's): with schedule
                // actions this is the schedule it learned.
                StepProfile taken{"greedy_sigmas", "σ of each step (greedy policy, first sample)", {}};
                for (double sigma : schedule_taken(samples.path, 0)) taken.values << sigma;
                report.profiles << taken;
                add_evaluation(report, last_metrics, picture_of(samples.samples, model.toy));
                if (checkpoint.named) write_checkpoint();
            }
            if (control && control->checkpoint_requests.exchange(0) > 0) save_checkpoint();
            if (context.training_report) context.training_report(report);
            if (context.progress) context.progress(context.node, double(last.iteration) / double(iterations), QString());
        }
    } catch (const Cancelled&) {
        // What was learned survives a cancel: a checkpoint to resume from and the policy so far.
        write_checkpoint();
        save_policy_file(true);
        throw;
    }
    if (checkpoint.named || (control && control->stop)) write_checkpoint();
    save_policy_file(false);
    if (context.report) {
        context.report(context.node, "iterations", static_cast<double>(trainer.iterations()));
        context.report(context.node, "paused_seconds", paused_seconds);
        context.report(context.node, "discriminator_accuracy", last.discriminator_accuracy);
        context.report(context.node, "mean_reward", last.mean_reward);
        context.report(context.node, "entropy", last.entropy);
        context.report(context.node, "training_evaluations", static_cast<double>(trainer.total_evaluations()));
        for (auto it = last_metrics.begin(); it != last_metrics.end(); ++it) context.report(context.node, it.key(), it.value().toDouble());
    }
    return {{"policy", PolicyValue{policy, setup, 0.0}}};
}

}  // namespace irl::nodes::builtin
