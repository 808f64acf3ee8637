#include "run_controller.h"

#include "graph_document.h"
#include "node_scene.h"
#include "preview_panel.h"
#include "results_view.h"
#include "run_history.h"
#include "training_view.h"

#include "irl/engine/core/resources.h"
#include "irl/nodes/graph_runner.h"
#include "irl/nodes/output_paths.h"
#include "irl/nodes/seed_rules.h"

#include <QDir>
#include <QFileInfo>
#include <QProgressBar>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTime>
#include <QUndoStack>

#include <algorithm>

namespace irl::studio {

struct RunController::Pending {
    irl::nodes::Graph graph;
    QStringList targets;
    QString graph_file;
    QString output_dir;
    QString label;
};

RunController::RunController(const irl::nodes::NodePacks& packs, Parts parts, std::function<QString()> graph_file, QObject* parent)
    : QObject(parent), parts_(parts), graph_file_(std::move(graph_file)), runner_(new irl::nodes::GraphRunner(packs, this)) {
    connect(runner_, &irl::nodes::GraphRunner::node_status, this, &RunController::on_status);
    connect(runner_, &irl::nodes::GraphRunner::progress, this, &RunController::on_progress);
    connect(runner_, &irl::nodes::GraphRunner::sampling_preview, this, &RunController::on_sampling_preview);
    connect(runner_, &irl::nodes::GraphRunner::training_report, this, &RunController::on_training_report);
    connect(runner_, &irl::nodes::GraphRunner::finished, this, &RunController::on_finished);
    connect(runner_, &irl::nodes::GraphRunner::notice, this, [this](const QString& node, const QString& text) {
        Q_EMIT log(QStringLiteral("%1: %2").arg(node, text));
        Q_EMIT status_message(QStringLiteral("%1: %2").arg(node, text), 8000);
        if (node == training_node_) parts_.training->set_message(text);
    });
}

QString RunController::output_dir() const {
    // <data>/irlstudio/runs: GenericDataLocation, since the application-specific location would
    // repeat the organisation and application names (".../irlstudio/irlstudio").
    const QString runs = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + "/irlstudio/runs/";
    const QString path = graph_file_();
    if (path.isEmpty()) return runs + "untitled";
    const QFileInfo info(path);
    // Next to the user's graph; the bundled example graphs (read-only once installed) run into
    // the studio's data folder instead.
    const QString folder = info.absoluteDir().canonicalPath();
    for (const std::string& bundled : irl::resource_folders()) {
        const QString root = QDir(QString::fromStdString(bundled)).canonicalPath();
        if (!root.isEmpty() && (folder == root || folder.startsWith(root + "/"))) return runs + info.completeBaseName();
    }
    if (!QFileInfo(folder).isWritable()) return runs + info.completeBaseName();
    return info.absoluteDir().filePath(info.completeBaseName() + "-output");
}

bool RunController::running() const { return runner_->busy(); }

bool RunController::run(const QStringList& targets) {
    if (parts_.document->graph().nodes().isEmpty()) {
        Q_EMIT status_message(tr("The graph is empty: add nodes first (Shift+A or double-click the canvas)."), 6000);
        return false;
    }
    // The batch count's runs, each with the seeds the seed rules give after the one before.
    irl::nodes::Graph graph = parts_.document->graph();
    const int runs = irl::nodes::batch_count(graph, targets);
    const auto draw = [](qlonglong lowest, qlonglong highest) {
        return lowest + static_cast<qlonglong>(QRandomGenerator::global()->bounded(static_cast<quint64>(highest - lowest) + 1));
    };
    int submitted = 0;
    for (; submitted < runs; ++submitted) {
        if (!submit(graph, targets, runs > 1 ? tr("run %1 of %2").arg(submitted + 1).arg(runs) : QString())) break;
        const QHash<QString, qlonglong> next = irl::nodes::seeds_after_run(graph, targets, draw);
        for (auto it = next.begin(); it != next.end(); ++it) graph.set_parameter(it.key(), "seed", it.value());
    }
    if (submitted == 0) return false;
    // The document keeps the seeds of the next run, as one undo step (a macro, so that it never
    // merges with the user's own edit of a seed): Undo brings back the seeds this Run used.
    QStringList changed;
    for (const irl::nodes::Node& node : graph.nodes()) {
        const irl::nodes::Node* before = parts_.document->graph().node(node.id);
        if (before && node.parameters.contains("seed") && before->parameters.value("seed") != node.parameters.value("seed")) changed << node.id;
    }
    if (!changed.isEmpty()) {
        parts_.document->undo_stack()->beginMacro(tr("Seeds after Run"));
        for (const QString& id : changed) parts_.document->set_parameter(id, "seed", graph.node(id)->parameters.value("seed"));
        parts_.document->undo_stack()->endMacro();
    }
    if (runs > 1) Q_EMIT status_message(tr("%1 of %2 runs started or queued.").arg(submitted).arg(runs), 6000);
    return true;
}

bool RunController::submit(const irl::nodes::Graph& graph, const QStringList& targets, const QString& part) {
    auto pending = std::make_shared<Pending>(Pending{graph, targets, graph_file_(), output_dir(), QString()});
    QStringList label{QTime::currentTime().toString("HH:mm:ss"), targets.isEmpty() ? tr("the graph") : targets.join(", ")};
    if (!part.isEmpty()) label << part;
    QStringList seeds;
    for (const irl::nodes::Node& node : graph.nodes())
        if (node.parameters.contains("seed_rule")) seeds << QStringLiteral("%1 seed %2").arg(node.id, node.parameters.value("seed").toString());
    if (!seeds.isEmpty() && seeds.size() <= 2) label << seeds;
    pending->label = label.join(QStringLiteral(" · "));
    if (runner_->busy()) {
        queue_.push_back(pending);
        Q_EMIT queue_changed();
        Q_EMIT status_message(tr("Queued: it runs when the current run ends (%1 waiting).").arg(queue_.size()), 6000);
        Q_EMIT log(tr("Queued %1").arg(pending->label));
        return true;
    }
    if (!start(*pending)) return false;
    current_ = pending;
    return true;
}

bool RunController::start(const Pending& run) {
    QDir().mkpath(run.output_dir);
    parts_.scene->clear_statuses();
    if (!runner_->start(run.graph, run.output_dir, run.targets, run.graph_file)) return false;
    previewed_ = false;
    parts_.progress->setValue(0);
    parts_.progress->setFormat(tr("starting…"));
    // A run that comes from the cache sends no steps: show the last one, not one scrubbed to before.
    parts_.preview->show_frame(parts_.preview->frame_count() - 1);
    Q_EMIT run_started();
    Q_EMIT log(tr("Running %1 → %2").arg(run.targets.isEmpty() ? tr("the graph") : run.targets.join(", "), run.output_dir));
    return true;
}

QStringList RunController::queued() const {
    QStringList labels;
    for (const auto& p : queue_) labels << p->label;
    return labels;
}

bool RunController::remove_queued(int index) {
    if (index < 0 || index >= int(queue_.size())) return false;
    queue_.erase(queue_.begin() + index);
    Q_EMIT queue_changed();
    return true;
}

void RunController::cancel() {
    if (!runner_->busy()) return;
    runner_->cancel();
    parts_.progress->setFormat(tr("cancelling…"));
    Q_EMIT log(tr("Cancelling: the run stops at the next denoiser call; finished nodes stay cached."));
}

bool RunController::is_trainer(const QString& node) const {
    const auto* info = parts_.document->graph().type_of(node);
    return info && info->traits.interactive_training;
}

QStringList RunController::trainers() const {
    QStringList ids;
    for (const auto& n : parts_.document->graph().nodes())
        if (is_trainer(n.id)) ids << n.id;
    return ids;
}

void RunController::start_training(const QString& trainer) {
    if (runner_->busy()) {
        Q_EMIT status_message(tr("A run is going: training starts when it ends (queued)."), 6000);
        submit(parts_.document->graph(), {trainer}, QString());
        return;
    }
    training_node_ = trainer;
    parts_.training->clear();
    if (!submit(parts_.document->graph(), {trainer}, QString())) {
        training_node_.clear();
        return;
    }
    parts_.training->set_running(true);
    parts_.training->set_message(tr("Starting %1…").arg(trainer));
}

bool RunController::use_output_of(const QString& node_id) {
    const irl::nodes::Node* node = parts_.document->graph().node(node_id);
    const auto* info = parts_.document->graph().type_of(node_id);
    if (!node || !info || !info->traits.output_file) return false;
    const irl::nodes::OutputFile& output = *info->traits.output_file;
    QString file;
    try {
        file = irl::nodes::output_file_path(output, node_id, node->parameters, output_dir());
    } catch (const std::exception& e) {
        parts_.training->set_message(QString::fromUtf8(e.what()));
        return false;
    }
    if (!QFileInfo::exists(file)) {
        parts_.training->set_message(tr("No trained %1 yet: train first (it is written to %2).").arg(output.label, file));
        return false;
    }
    const QPointF at = parts_.document->graph().view().positions.value(node_id) + QPointF(0, 220);
    GraphDocument& doc = *parts_.document;
    doc.undo_stack()->beginMacro(output.user_type.isEmpty() ? tr("Add a node that loads the %1").arg(output.label)
                                                            : tr("Add a node that uses the %1").arg(output.label));
    const QString id = doc.add_node(output.loader_type, at);
    QString user;
    if (!id.isEmpty()) {
        for (auto it = output.loader_parameters.begin(); it != output.loader_parameters.end(); ++it) doc.set_parameter(id, it.key(), it.value());
        doc.set_parameter(id, output.loader_parameter, file);
        if (!output.user_type.isEmpty()) user = add_user_of(node_id, id, output, at + QPointF(280, 0));
    }
    doc.undo_stack()->endMacro();
    if (id.isEmpty()) return false;
    if (user.isEmpty()) {
        parts_.scene->select_nodes({id});
        parts_.training->set_message(tr("%1 loads %2; link its output where the %3 is used.").arg(id, file, output.label));
    } else {
        parts_.scene->select_nodes({id, user});
        parts_.training->set_message(tr("%1 loads %2 and %3 samples with it as %4 trained it: Run to see the result.")
                                         .arg(id, file, user, node_id));
    }
    return true;
}

QString RunController::add_user_of(const QString& trainer, const QString& loader, const irl::nodes::OutputFile& output, const QPointF& at) {
    GraphDocument& doc = *parts_.document;
    const QString user = doc.add_node(output.user_type, at);
    const auto* loader_info = doc.graph().type_of(loader);
    if (user.isEmpty() || !loader_info || loader_info->outputs.isEmpty()) return user;
    doc.connect_ports({{loader, loader_info->outputs.front().name}, {user, output.user_port}});
    // The inputs the trainer trained with, from the same outputs.
    const QVector<irl::nodes::Link> links = doc.graph().links();  // connecting below adds to the graph's
    for (const irl::nodes::Link& link : links)
        if (link.to.node == trainer && output.shared_inputs.contains(link.to.port)) doc.connect_ports({link.from, {user, link.to.port}});
    // A copy: each set_parameter replaces the document's graph.
    const irl::nodes::Node* node = doc.graph().node(trainer);
    const QVariantMap parameters = node ? node->parameters : QVariantMap();
    for (const QString& name : output.shared_parameters)
        if (parameters.contains(name)) doc.set_parameter(user, name, parameters.value(name));
    for (const irl::nodes::OutputFile::ImpliedParameter& implied : output.implied_parameters)
        if (parameters.value(implied.parameter) == implied.value) doc.set_parameter(user, implied.user_parameter, implied.user_value);
    return user;
}

void RunController::on_status(const QString& node, int status, const QString& message) {
    parts_.scene->set_node_status(node, status, message);
    if (status == static_cast<int>(irl::nodes::NodeStatus::Failed)) Q_EMIT log(tr("%1 failed: %2").arg(node, message));
}

void RunController::on_progress(const QString& node, double fraction) {
    parts_.progress->setValue(static_cast<int>(std::clamp(fraction, 0.0, 1.0) * 1000));
    // Wide enough for the node and "100%" on one line (a long node name is shortened in its middle).
    const QFontMetrics metrics(parts_.progress->font());
    const int most = parts_.progress->maximumWidth(), padding = 28;
    const QString shown = metrics.elidedText(node, Qt::ElideMiddle, most - padding - metrics.horizontalAdvance(QStringLiteral("  100%")));
    parts_.progress->setMinimumWidth(std::min(most, metrics.horizontalAdvance(shown + QStringLiteral("  100%")) + padding));
    parts_.progress->setFormat(QStringLiteral("%1  %p%").arg(shown));
}

void RunController::on_sampling_preview(const irl::nodes::SamplingPreview& preview) {
    previewed_ = true;
    parts_.preview->add_step(preview);
}

void RunController::on_training_report(const irl::nodes::TrainingReport& report) {
    if (training_node_.isEmpty()) {
        // A trainer that runs as part of the whole graph (Run) is as interactive as one started
        // from the training view.
        training_node_ = report.node;
        parts_.training->clear();
        parts_.training->select_trainer(report.node);
        parts_.training->set_running(true);
    }
    parts_.training->add_iteration(report);
}

void RunController::on_finished(const irl::nodes::RunOutcome& outcome) {
    parts_.progress->setValue(outcome.ok ? 1000 : parts_.progress->value());
    parts_.progress->setFormat(outcome.ok ? tr("done in %1 s").arg(outcome.seconds, 0, 'f', 1)
                                          : outcome.cancelled ? tr("cancelled") : tr("failed"));
    QStringList numbers;
    for (const QString& id : outcome.order) {
        const auto& n = outcome.nodes.value(id);
        for (auto it = n.numbers.begin(); it != n.numbers.end(); ++it)
            numbers << QStringLiteral("%1.%2 = %3").arg(id, it.key()).arg(it.value().toDouble(), 0, 'g', 5);
        parts_.scene->set_node_results(id, ResultsView::summary(n.numbers));
    }
    parts_.results->set_outcome(outcome);
    if (outcome.ok) {
        Q_EMIT log(tr("Finished in %1 s. %2").arg(outcome.seconds, 0, 'f', 2).arg(numbers.join("; ")));
        Q_EMIT status_message(tr("Finished in %1 s").arg(outcome.seconds, 0, 'f', 1), 6000);
    } else if (outcome.cancelled) {
        Q_EMIT log(tr("Cancelled."));
        Q_EMIT status_message(tr("Cancelled"), 6000);
    } else {
        Q_EMIT log(tr("Failed: %1").arg(outcome.error));
        Q_EMIT status_message(tr("Failed: %1").arg(outcome.error), 10000);
    }
    if (!training_node_.isEmpty()) {
        parts_.training->set_running(false);
        if (outcome.ok) {
            const QVariantMap numbers = outcome.nodes.value(training_node_).numbers;
            const int iterations = numbers.value("iterations").toInt();
            const double paused = numbers.value("paused_seconds").toDouble();
            // The time it trained, not the time it waited while paused.
            const double trained = outcome.nodes.value(training_node_).seconds - paused;
            QString done = iterations == 1 ? tr("1 iteration") : tr("%1 iterations").arg(iterations);
            done += tr(" in %1 s").arg(trained, 0, 'f', 1) + (paused > 0.5 ? tr(" (and %1 s paused)").arg(paused, 0, 'f', 0) : QString());
            const auto* info = parts_.document->graph().type_of(training_node_);
            QString use;
            if (info && info->traits.output_file)
                use = (info->traits.output_file->user_type.isEmpty() ? tr(" \"Use result\" adds a node that loads the %1.")
                                                                     : tr(" \"Use result\" adds a node that loads the %1 and one that samples with it."))
                          .arg(info->traits.output_file->label);
            // A trainer that keeps the best validated result says which one it kept.
            QString kept;
            if (numbers.contains("validation_best_iteration")) {
                const int best = numbers.value("validation_best_iteration").toInt();
                const double best_fd = numbers.value("validation_best_fd").toDouble(), start_fd = numbers.value("validation_start_fd").toDouble();
                kept = best == 0 ? tr(" Kept its start: no iteration scored better on the held-out data (FD %1).").arg(best_fd, 0, 'g', 4)
                                 : tr(" Kept iteration %1, the best on the held-out data (FD %2; its start %3).")
                                       .arg(best)
                                       .arg(best_fd, 0, 'g', 4)
                                       .arg(start_fd, 0, 'g', 4);
            }
            parts_.training->set_message(tr("Training finished: %1.%2%3").arg(done, kept, use));
        } else {
            parts_.training->set_message(outcome.cancelled ? tr("Training cancelled; what was learned is in the checkpoint.")
                                                           : tr("Training failed: %1").arg(outcome.error));
        }
        training_node_.clear();
    }
    // The history keeps the graph as it ran and the samples it showed.
    if (parts_.history && current_) {
        QImage picture = parts_.preview->frame_count() > 0 && (previewed_ || outcome.ok) ? parts_.preview->last_denoised() : QImage();
        if (picture.isNull()) picture = parts_.training->latest_samples();
        parts_.history->add(current_->graph, outcome, picture, current_->graph_file);
    }
    current_.reset();
    Q_EMIT run_finished(outcome.ok, outcome.cancelled);
    // Then what was queued behind it, oldest first.
    while (!queue_.empty() && !runner_->busy()) {
        const std::shared_ptr<Pending> next = queue_.front();
        queue_.erase(queue_.begin());
        Q_EMIT queue_changed();
        if (start(*next)) {
            current_ = next;
            break;
        }
    }
}

}  // namespace irl::studio
