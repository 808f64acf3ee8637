// The half of GraphRunner that lives on the engine thread: it owns the executor and its cache.
#pragma once

#include "irl/nodes/graph_runner.h"

namespace irl::nodes {

class GraphRunnerWorker : public QObject {
    Q_OBJECT
public:
    GraphRunnerWorker(const NodePacks& packs, GraphRunner* owner) : executor_(packs), owner_(owner) {}
    CancelToken& token() { return token_; }
    TrainingControl& training() { return training_; }

public Q_SLOTS:
    void run(const irl::nodes::Graph& graph, const QString& output_dir, const QStringList& targets);

private:
    Executor executor_;
    GraphRunner* owner_;
    CancelToken token_;
    TrainingControl training_;
};

}  // namespace irl::nodes
