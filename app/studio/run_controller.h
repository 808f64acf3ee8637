// Running the graph from the window: starts runs and trainings on the engine thread (through a
// GraphRunner), routes node status, progress, sampling previews and training reports to the
// canvas, the preview and the training view, and turns a trainer's output file into a loader
// node. What a node does is read from its type's traits: this file names no node type.
#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <vector>

class QPointF;
class QProgressBar;

namespace irl::nodes {
class Graph;
class GraphRunner;
class NodePacks;
struct OutputFile;
struct RunOutcome;
struct SamplingPreview;
struct TrainingReport;
}  // namespace irl::nodes

namespace irl::studio {

class GraphDocument;
class NodeScene;
class PreviewPanel;
class ResultsView;
class RunHistory;
class TrainingView;

class RunController : public QObject {
    Q_OBJECT
public:
    struct Parts {
        GraphDocument* document;
        NodeScene* scene;
        PreviewPanel* preview;
        TrainingView* training;
        QProgressBar* progress;
        ResultsView* results;
        RunHistory* history;
    };
    // `graph_file` tells where the document was read from (empty for an unsaved graph).
    RunController(const irl::nodes::NodePacks& packs, Parts parts, std::function<QString()> graph_file, QObject* parent);

    // Starts a run of the document now, or, while one is going, queues the graph as it is now
    // (the queued run starts when the current one ends, whether it finished, failed or was cancelled).
    // A batch count above 1 queues that many runs; the seed rules then set the document's seeds
    // for the next Run (one undo step). Training runs once and leaves the seeds as they are.
    bool run(const QStringList& targets = {});
    // The runs waiting, oldest first, and removing one before it starts.
    QStringList queued() const;
    bool remove_queued(int index);
    void cancel();
    bool running() const;
    QString output_dir() const;
    irl::nodes::GraphRunner* runner() const { return runner_; }

    // The nodes of the graph whose type trains interactively.
    QStringList trainers() const;
    bool is_trainer(const QString& node) const;
    void start_training(const QString& trainer);
    // Adds a node that loads what `node` wrote (its type's output-file trait) and, where the trait
    // names one, a node that uses it as `node` trained it; false with a message in the training
    // view when there is nothing to load yet.
    bool use_output_of(const QString& node);

Q_SIGNALS:
    void queue_changed();
    void run_started();
    void run_finished(bool ok, bool cancelled);
    void log(const QString& text);
    void status_message(const QString& text, int milliseconds);

private:
    void on_status(const QString& node, int status, const QString& message);
    void on_progress(const QString& node, double fraction);
    void on_sampling_preview(const irl::nodes::SamplingPreview& preview);
    void on_training_report(const irl::nodes::TrainingReport& report);
    void on_finished(const irl::nodes::RunOutcome& outcome);
    // The node that uses what `trainer` wrote, loaded by `loader` (OutputFile::user_type), at `at`;
    // empty when it could not be added.
    QString add_user_of(const QString& trainer, const QString& loader, const irl::nodes::OutputFile& output, const QPointF& at);

    Parts parts_;
    struct Pending;
    // Starts `graph` now or queues it; `part` is added to its label ("run 2 of 4").
    bool submit(const irl::nodes::Graph& graph, const QStringList& targets, const QString& part);
    bool start(const Pending& run);

    std::function<QString()> graph_file_;
    irl::nodes::GraphRunner* runner_;
    QString training_node_;  // the trainer of the run in progress, if it is a training run
    std::vector<std::shared_ptr<Pending>> queue_;
    std::shared_ptr<Pending> current_;  // what is running, for the history
    bool previewed_ = false;            // the current run sent sampling steps
};

}  // namespace irl::studio
