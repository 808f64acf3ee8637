#include "irl_trainer_node.h"

#include "node_support.h"

#include "irl/engine/core/random.h"
#include "irl/engine/learning/irl/policy_training.h"
#include "irl/engine/learning/irl/sampler_comparison.h"
#include "irl/engine/learning/irl/stored_rows.h"
#include "irl/engine/learning/irl/training_settings.h"
#include "irl/engine/metrics/sample_metrics.h"
#include "irl/nodes/output_paths.h"

#include <QDir>
#include <QFileInfo>

#include <functional>
#include <optional>
#include <sstream>
#include <tuple>
#include <utility>
#include <nlohmann/json.hpp>
#include <torch/torch.h>


namespace irl::nodes::builtin {
namespace {

// The node's parameters as the engine's reader of training settings sees them: a parameter is
// named as the command's flag with '_' for '-' (policy_lr for --policy-lr).
UserSettings parameter_settings(const QVariantMap& p) {
    auto key = [](const std::string& name) { return QString::fromStdString(name).replace('-', '_'); };
    UserSettings settings;
    settings.text = [&p, key](const std::string& name) -> std::optional<std::string> {
        if (!p.contains(key(name))) return std::nullopt;
        return p.value(key(name)).toString().toStdString();
    };
    settings.called = [key](const std::string& name) { return "the IRL Trainer's parameter " + key(name).toStdString(); };
    return settings;
}

// A numeric parameter with the range the engine accepts for it.
ParameterSchema integer_setting(const char* key, const char* label, int64_t value, const QString& tooltip = {}) {
    const TrainingSettingRange& range = policy_training_range(QString(key).replace('_', '-').toStdString());
    return ParameterSchema::integer(key, label, value, static_cast<qlonglong>(range.low), static_cast<qlonglong>(range.high), tooltip);
}
ParameterSchema number_setting(const char* key, const char* label, double value, const QString& tooltip = {}) {
    const TrainingSettingRange& range = policy_training_range(QString(key).replace('_', '-').toStdString());
    return ParameterSchema::number(key, label, value, range.low, range.high, tooltip);
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
    } else if (scorable(model.denoiser->sample_shape())) {
        const ImageScores scores = score_against(samples.samples, torch::full({samples.samples.size(0)}, int64_t(-1)), &expert);
        numbers.insert("fd", scores.fd);
        numbers.insert("precision", scores.precision);
        numbers.insert("recall", scores.recall);
    }
    numbers.insert("eval_nfe", samples.nfe);
    return numbers;
}

// Greedy samples scored by FD, as a Testbed of `count` samples from `seed`: on a toy against
// fresh true samples drawn from `truth_seed`, on 1x28x28 images against `reference` through the
// metrics classifier (its features computed once). Nothing for other shapes.
std::optional<Testbed> fd_testbed(const DenoiserValue& model, const DatasetValue& reference, int64_t count, uint64_t seed,
                                  bool conditional, uint64_t truth_seed, const CancelToken* cancel) {
    if (model.toy) {
        Testbed testbed;
        testbed.denoiser = model.denoiser.get();
        testbed.count = count;
        testbed.seeds = {seed};
        testbed.dtype = torch::kFloat64;
        testbed.cancel = cancel;
        at::Generator g = make_generator(truth_seed);
        const torch::Tensor truth = model.toy->sample(std::max<int64_t>(1000, count), g);
        testbed.metrics = [truth](const torch::Tensor& samples, const torch::Tensor&) {
            return nlohmann::json{{"fd", frechet_distance(samples, truth)}};
        };
        testbed.criteria = {{"fd", false}};
        return testbed;
    }
    if (!scorable(model.denoiser->sample_shape())) return std::nullopt;
    Testbed testbed = reference_testbed(*model.denoiser, &reference, count, {seed}, cancel);
    if (!conditional || model.denoiser->num_classes() == 0) testbed.labels = torch::Tensor();
    return testbed;
}

// The level the training view compares the policy with: the best classic solver a user could pick
// at the same number of function evaluations (every classic solver over the classic grid of
// sigma_max x rho, each on the whole testbed: a screen on fewer samples misses good settings by
// FD's noise there), scored on the policy's own testbed. Kept in `folder` under its setup, so
// that training again with other learning settings draws the same line at once.
struct ClassicLine {
    double fd = 0.0;
    int nfe = 0;
    QString setting;  // "heun, σmax 20, ρ 5"
};

std::optional<ClassicLine> best_classic_line(const Testbed& testbed, int nfe, double sigma_min, nlohmann::json setup,
                                             const QString& output_dir) {
    setup["nfe"] = nfe;
    setup["sigma_min"] = sigma_min;
    setup["count"] = testbed.count;
    setup["seeds"] = testbed.seeds;
    setup["conditional"] = testbed.labels.defined();
    setup["grid"] = "every classic solver x sigma_max x rho";
    std::ostringstream name;
    name << std::hex << std::hash<std::string>{}(setup.dump());
    const StoredRows stored(output_dir.isEmpty() ? std::string() : QDir(output_dir).filePath("classic-lines/" + QString::fromStdString(name.str())).toStdString(),
                            setup);
    const nlohmann::json best =
        stored.row("best", [&] { return best_row(classic_grid(testbed, nfe, classic_solvers(), {}, sigma_min), testbed.criteria.front()); });
    if (best.is_null()) return std::nullopt;
    return ClassicLine{best["fd"].get<double>(), nfe,
                       QString("%1, σmax %2, ρ %3")
                           .arg(QString::fromStdString(best["solver"].get<std::string>()))
                           .arg(best["sigma_max"].get<double>())
                           .arg(best["rho"].get<double>())};
}

// The schedule's smallest nonzero level: the classic grid's sigma_min, so that a Karras schedule
// the trainer starts from is one of the grid's settings.
double smallest_level(const std::vector<double>& sigmas) {
    double smallest = 0.002;
    for (double s : sigmas)
        if (s > 0.0) smallest = s;
    return smallest;
}

// What a testbed's reference is, for the classic line's setup: the model, and the reference images'
// count and sums, the whole set's and its first and last image's (or, on a toy, the seed of its
// true samples), summed in place: the expert set can be 60 000 images.
nlohmann::json line_setup(const DenoiserValue& model, const DatasetValue& reference, uint64_t truth_seed) {
    nlohmann::json setup = {{"denoiser", model.denoiser->identity()}, {"weights", model.denoiser->weights_checksum()}};
    if (model.toy) {
        setup["truth_seed"] = truth_seed;
    } else {
        const torch::Tensor& data = reference.data;
        const int64_t n = data.size(0);
        setup["reference"] = {n, data.sum(torch::kFloat64).item<double>(), n > 0 ? data[0].sum(torch::kFloat64).item<double>() : 0.0,
                              n > 0 ? data[n - 1].sum(torch::kFloat64).item<double>() : 0.0};
    }
    return setup;
}

// The expert images held out for validation: a seeded draw of a tenth (at most 2000), so that an
// image folder read class by class gives every class to both parts. {training, held out}.
std::pair<torch::Tensor, torch::Tensor> hold_out(const torch::Tensor& data) {
    const int64_t n = data.size(0), held = std::min<int64_t>(n / 10, 2000);
    at::Generator g = make_generator(20261208);
    const torch::Tensor order = torch::randperm(n, g, torch::kInt64);
    return {data.index_select(0, std::get<0>(order.narrow(0, held, n - held).sort())), data.index_select(0, order.narrow(0, 0, held))};
}

// The chart the policy is judged on, and its curves at a validation: the held-out FD of the
// greedy policy, the start's and the best classic solver's as lines.
constexpr const char* kValidationChart = "Validation (held out)";

void add_validation(TrainingReport& report, const PolicyValidation& v, const std::optional<ClassicLine>& classic) {
    report.curves.push_back({kValidationChart, "validation_fd", "FD, greedy policy", v.last, false});
    if (classic) report.curves.push_back({kValidationChart, "best_classic_fd", "best classic: " + classic->setting, classic->fd, false, true});
    report.curves.push_back({kValidationChart, "start_fd", "its start", v.start, false, true});
    report.status += QString(" · held-out FD %1 (best %2 at iteration %3; start %4)")
                         .arg(v.last, 0, 'g', 4)
                         .arg(v.best, 0, 'g', 4)
                         .arg(v.best_iteration)
                         .arg(v.start, 0, 'g', 4);
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
            // A row of zeros: no state of this iteration's rollouts chose there.
            double total = 0.0;
            for (double p : row) total += p;
            table.visited << (total > 0.0);
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
    report.samples_caption = toy ? "greedy policy (orange) over the true data (grey)" : "greedy policy samples";
}

}  // namespace

NodeTypeInfo IrlTrainerNode::declaration() {
    const PolicyTrainingOptions defaults;
    NodeTypeInfo t{"irl.irl_trainer", "IRL Trainer", "Learning",
                   "Learns a policy by inverse RL: matches the sampler's states to the dataset's at every noise level",
                   {{"denoiser", ports::denoiser}, {"schedule", ports::schedule}, {"expert", ports::dataset}},
                   {{"policy", ports::policy}}, {}};
    for (ActionKind kind : kActionKinds)
        t.inputs.push_back({action_port_name(kind), ports::action(kind), QString("The %1 choices the policy learns").arg(to_string(kind)), true});
    t.parameters = {
        ParameterSchema::choice("solver", "Solver", as_qt(solver_names()), "heun"),
        ParameterSchema::choice("policy", "Policy", as_qt(policy_kind_names()), QString::fromStdString(defaults.policy)),
        ParameterSchema::choice("divergence", "Divergence", as_qt(divergence_names()), "jensen-shannon"),
        number_setting("pr_lambda", "PR λ", defaults.irl.divergence.pr_lambda, "The precision-recall divergence's trade-off")
            .shown_if("divergence", {"precision-recall"}),
        integer_setting("iterations", "Iterations", defaults.iterations),
        integer_setting("batch", "Batch", defaults.irl.batch, "Trajectories per iteration"),
        number_setting("policy_lr", "Policy learning rate", defaults.irl.policy_lr),
        number_setting("entropy", "Entropy bonus", defaults.irl.entropy_bonus),
        number_setting("entropy_final", "Entropy bonus at the end", defaults.irl.entropy_final,
                       "-1: the bonus stays constant; otherwise it falls linearly to this by the last iteration"),
        number_setting("nfe_cost", "Cost per evaluation", defaults.irl.nfe_cost),
        integer_setting("seed", "Seed", static_cast<int64_t>(defaults.irl.seed)),
        number_setting("start_probability", "Start probability", defaults.start_probability,
                       "Above 0: the policy starts at the schedule's own sampler (each action's choice nearest it) with this "
                       "probability, instead of uniform; 0: uniform"),
        integer_setting("discriminator_steps", "Discriminator steps", defaults.irl.discriminator_steps, "Discriminator updates per iteration"),
        ParameterSchema::choice("labels", "Labels", {"every class", "unconditional"}, "every class",
                                "unconditional: the sampler gets no class, e.g. to learn to correct its class balance toward the expert's"),
        ParameterSchema::integer("renoise_cap", "Renoise cap", -1, -1, 10000, "-1: as many levels as the schedule"),
        ParameterSchema::integer("budget", "Budget", kNoBudget, kNoBudget, 100000,
                                 "Most function evaluations per trajectory; with a Skip action the policy chooses the schedule within it; -1: none"),
        integer_setting("eval_every", "Evaluate every", 10,
                                 "Iterations between evaluations (FD, precision, recall, samples); 0: never"),
        integer_setting("eval_count", "Evaluation samples", defaults.evaluation_count),
        ParameterSchema::boolean("keep_best", "Keep the best validated", true,
                                 "Hold out a tenth of the expert images (at most 2000; on a toy, fresh true samples), score the greedy "
                                 "policy there by FD before training and at every evaluation, and keep the best policy seen, the start "
                                 "included"),
        ParameterSchema::boolean("classic_line", "Best classic line", true,
                                 "At the first evaluation, score every classic solver over σmax × ρ at the policy's number of function "
                                 "evaluations on the policy's own held-out test (or evaluation), and draw the best as a line beside it "
                                 "(80 settings: on the bundled model at 5 NFE about 2.5 minutes on 2 threads the first time; kept in "
                                 "the output folder's classic-lines, so training again draws it at once)"),
        ParameterSchema::text("checkpoint", "Checkpoint", "", "A file in the output folder to checkpoint to and resume from (optional)"),
        ParameterSchema::boolean("resume", "Resume", true, "Continue from the checkpoint when it exists"),
        ParameterSchema::text("save", "Save as", "", "The policy file written when training ends, in the output folder; empty: <node>-policy.pt")};
    t.renamed_parameters = {{"lambda", "pr_lambda"}};
    t.traits.interactive_training = true;
    // "Use result": the policy on a Sampler with the denoiser, schedule and solver it trained on.
    t.traits.output_file = OutputFile{"save",        "{node}-policy.pt",          "irl.policy",
                                      "file",        {},                          "policy",
                                      "irl.sampler", "policy",                    {"denoiser", "schedule"},
                                      {"solver", "renoise_cap", "budget"},
                                      {{"labels", "unconditional", "class", -2}}};
    return t;
}

Values IrlTrainerNode::evaluate(const Values& in, const QVariantMap& p, RunContext& context) {
    const DenoiserValue& model = input<DenoiserValue>(in, "denoiser");
    const ScheduleValue& schedule = input<ScheduleValue>(in, "schedule");
    DatasetValue expert = input<DatasetValue>(in, "expert");
    expert.data = data_in_model_shape(expert, model, context);
    PolicyTrainingOptions options;
    options.irl.sampler.solver = solver_from_string(p.value("solver").toString().toStdString());
    options.irl.sampler.sigmas = schedule.sigmas;
    options.irl.sampler.query_sigmas = schedule.query_sigmas;
    options.irl.sampler.renoise_cap = p.value("renoise_cap").toLongLong();
    options.irl.sampler.budget = p.value("budget").toLongLong();
    options.irl.conditional = !model.toy && p.value("labels").toString() != "unconditional";
    read_policy_training_settings(parameter_settings(p), options);
    options.actions = action_space_from(in);
    options.policy_file = output_file_path(*declaration().traits.output_file, context.node, p, context.output_dir).toStdString();
    // A named checkpoint is written at every evaluation and at the end, and resumed; the default
    // one only on a stop, a cancel or a request from the window.
    const CheckpointPlace checkpoint = checkpoint_of(p, context, "IRL Trainer");
    options.checkpoint = checkpoint.path.toStdString();
    options.checkpoint_every = checkpoint.named ? (options.evaluate_every > 0 ? options.evaluate_every : options.iterations) : 0;
    options.resume = checkpoint.named && p.value("resume").toBool();
    // Validation: on images a held-out tenth of the expert data the discriminator never sees.
    QString validation_note;
    DatasetValue held_out = expert;
    torch::Tensor training_data = expert.data;
    std::optional<Testbed> validation_bed;
    if (p.value("keep_best", true).toBool() && options.evaluate_every > 0) {
        if (model.toy) {
            validation_bed = fd_testbed(model, expert, options.evaluation_count, options.validation_seed, false, 778, context.cancel);
        } else if (!scorable(model.denoiser->sample_shape())) {
            validation_note = " · no validation: FD is measured on 1x28x28 images only so far";
        } else if (expert.data.size(0) / 10 < 100) {
            validation_note = QString(" · no validation: %1 expert images are too few to hold out 100").arg(expert.data.size(0));
        } else {
            std::tie(training_data, held_out.data) = hold_out(expert.data);
            validation_bed = fd_testbed(model, held_out, options.evaluation_count, options.validation_seed, options.irl.conditional, 778,
                                        context.cancel);
        }
    }
    if (validation_bed) {
        options.validate_every = options.evaluate_every;
        options.validation_count = options.evaluation_count;
        options.validation = [bed = *validation_bed](const SampleResult& r) { return bed.metrics(r.samples, bed.labels)["fd"].get<double>(); };
    }
    PolicyTraining training(*model.denoiser, training_data, options);

    PolicyTrainingControl control;
    steer_from_window(control, context);
    QVariantMap last_metrics;
    std::optional<ClassicLine> classic;
    bool classic_scored = !p.value("classic_line", true).toBool();
    control.on_iteration = [&](const PolicyTrainingProgress& progress) {
        TrainingReport report = report_of(progress.iteration, training.trainer(), options.actions, schedule, options.iterations, context.node);
        if (progress.evaluation) {
            last_metrics = policy_metrics(*progress.evaluation, model, expert);
            if (!classic_scored) {
                // On the testbed the policy is judged on: the held-out one, or else its evaluations'.
                classic_scored = true;
                if (context.training_report) {
                    TrainingReport waiting;
                    waiting.node = context.node;
                    waiting.iteration = static_cast<int>(progress.iteration.iteration);
                    waiting.total = static_cast<int>(options.iterations);
                    waiting.status = "Scoring every classic solver over σmax × ρ for the comparison line (kept in the output folder "
                                     "for the next training; Cancel stops it)…";
                    context.training_report(waiting);
                }
                const std::optional<Testbed> bed = validation_bed ? validation_bed
                                                                  : fd_testbed(model, expert, options.evaluation_count, options.evaluation_seed,
                                                                               options.irl.conditional, 777, context.cancel);
                if (bed)
                    classic = best_classic_line(*bed, static_cast<int>(std::lround(progress.evaluation->nfe)), smallest_level(schedule.sigmas),
                                                validation_bed ? line_setup(model, held_out, 778) : line_setup(model, expert, 777),
                                                context.output_dir);
            }
            // The noise levels the greedy policy took (the first sample's): with schedule
            // actions this is the schedule it learned.
            StepProfile taken{"greedy_sigmas", "σ of each step (greedy policy, first sample)", {}};
            for (double sigma : schedule_taken(progress.evaluation->path, 0)) taken.values << sigma;
            report.profiles << taken;
            add_evaluation(report, last_metrics, picture_of(progress.evaluation->samples, model.toy));
            // Without validation the line goes beside the evaluations it was scored as.
            if (classic && !progress.validation.enabled)
                report.curves.push_back({"Evaluation", "best_classic_fd", "best classic: " + classic->setting, classic->fd, false, true});
        }
        const PolicyValidation& validation = progress.validation;
        if (validation.enabled && validation.last_iteration == progress.iteration.iteration) add_validation(report, validation, classic);
        if (classic)
            report.status +=
                QString(" · the best classic at %1 NFE (%2): %3").arg(classic->nfe).arg(classic->setting).arg(classic->fd, 0, 'g', 4);
        report.status += validation_note;
        if (context.training_report) context.training_report(report);
        if (context.progress)
            context.progress(context.node, double(progress.iteration.iteration) / double(options.iterations), QString());
    };
    const PolicyTrainingOutcome outcome = training.run(control);
    if (context.report) {
        const IrlIteration& last = outcome.last;
        context.report(context.node, "iterations", static_cast<double>(training.trainer().iterations()));
        context.report(context.node, "paused_seconds", outcome.paused_seconds);
        context.report(context.node, "discriminator_accuracy", last.discriminator_accuracy);
        context.report(context.node, "mean_reward", last.mean_reward);
        context.report(context.node, "entropy", last.entropy);
        context.report(context.node, "training_evaluations", static_cast<double>(training.trainer().total_evaluations()));
        for (auto it = last_metrics.begin(); it != last_metrics.end(); ++it) context.report(context.node, it.key(), it.value().toDouble());
        if (classic) context.report(context.node, "best_classic_fd", classic->fd);
        if (outcome.validation.enabled && outcome.validation.last_iteration >= 0) {
            context.report(context.node, "validation_start_fd", outcome.validation.start);
            context.report(context.node, "validation_best_fd", outcome.validation.best);
            context.report(context.node, "validation_best_iteration", static_cast<double>(outcome.validation.best_iteration));
        }
    }
    return {{"policy", PolicyValue{training.policy(), training.setup(), 0.0}}};
}

}  // namespace irl::nodes::builtin
