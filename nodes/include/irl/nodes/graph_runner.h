// Runs graphs on the engine thread so that the window never waits: start() returns at once,
// status, progress, previews and the outcome arrive as Qt signals emitted on the thread that
// owns the runner (queued from the engine), so every receiver sees them in the engine's order.
#pragma once

#include "irl/nodes/executor.h"

#include <QObject>
#include <QThread>

#include <atomic>
#include <memory>

Q_DECLARE_METATYPE(irl::nodes::RunOutcome)

namespace irl::nodes {

class GraphRunnerWorker;

class GraphRunner : public QObject {
    Q_OBJECT
public:
    explicit GraphRunner(const NodePacks& packs, QObject* parent = nullptr);
    ~GraphRunner() override;  // cancels a run in progress and joins the thread

    // Copies the graph and runs it on the engine thread; false when a run is in progress.
    // `graph_file` is the file the graph came from (outputs never overwrite it).
    bool start(const Graph& graph, const QString& output_dir, const QStringList& targets = {}, const QString& graph_file = {});
    // Stops the run at the next denoiser call; nodes finished before stay cached.
    void cancel();
    // Interactive training (trainer nodes): pause and resume between iterations, stop
    // early keeping the policy, write a checkpoint at the next iteration boundary.
    void set_training_paused(bool paused);
    bool training_paused() const;
    void stop_training();
    void request_checkpoint();
    bool busy() const { return busy_.load(); }
    QThread* engine_thread() const { return thread_; }

Q_SIGNALS:
    void node_status(const QString& node, int status, const QString& message);  // status: NodeStatus
    void progress(const QString& node, double fraction);
    void sampling_preview(const irl::nodes::SamplingPreview& preview);
    void training_report(const irl::nodes::TrainingReport& report);
    void notice(const QString& node, const QString& text);
    void finished(const irl::nodes::RunOutcome& outcome);

private:
    friend class GraphRunnerWorker;
    QThread* thread_;
    GraphRunnerWorker* worker_;
    std::atomic<bool> busy_{false};
};

}  // namespace irl::nodes
