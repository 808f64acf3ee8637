// The half of GraphRunner that lives on the engine thread: it owns the executor and its cache.
#pragma once

#include "irl/nodes/graph_runner.h"

namespace irl::nodes {

class GraphRunnerWorker : public QObject {
    Q_OBJECT
public:
    explicit GraphRunnerWorker(const NodePacks& packs) : executor_(packs) {}
    CancelToken& token() { return token_; }
    TrainingControl& training() { return training_; }

public Q_SLOTS:
    void run(const irl::nodes::Graph& graph, const QString& output_dir, const QStringList& targets, const QString& graph_file);

Q_SIGNALS:
    // Emitted on the engine thread; GraphRunner re-emits them, queued, on its own thread.
    void node_status(const QString& node, int status, const QString& message);
    void progress(const QString& node, double fraction);
    void sampling_preview(const irl::nodes::SamplingPreview& preview);
    void training_report(const irl::nodes::TrainingReport& report);
    void notice(const QString& node, const QString& text);
    void finished(const irl::nodes::RunOutcome& outcome);

private:
    Executor executor_;
    CancelToken token_;
    TrainingControl training_;
};

}  // namespace irl::nodes
