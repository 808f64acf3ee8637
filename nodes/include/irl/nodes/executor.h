// Runs a graph: dependency order restricted to what feeds the output nodes, results cached by a
// signature of each node's type, parameters and inputs, per-node status, cancel within one call.
#pragma once

#include "irl/nodes/graph.h"
#include "irl/nodes/node_pack.h"
#include "irl/nodes/plugin_loader.h"

#include <QHash>
#include <QStringList>

#include <functional>

namespace irl::nodes {

// Cancelled: the node was running when the run was cancelled (not a failure of the node).
// Its names: the table in executor.cpp (a new value goes there too).
enum class NodeStatus { Pending, Running, Cached, Done, Failed, Cancelled };
QString to_string(NodeStatus status);

struct NodeOutcome {
    NodeStatus status = NodeStatus::Pending;
    QString message;   // the error for Failed
    double seconds = 0.0;
    QVariantMap numbers;  // what the node reported (nfe, fd, ...)
};

struct RunOutcome {
    bool ok = false;
    bool cancelled = false;
    QString error;  // the first failure, "node-id: message"
    QHash<QString, NodeOutcome> nodes;
    QStringList order;
    double seconds = 0.0;
};

class Executor {
public:
    explicit Executor(const NodePacks& packs) : packs_(packs) {}

    // Called from the running thread whenever a node's status changes.
    std::function<void(const QString& node, NodeStatus status, const QString& message)> on_status;

    // Evaluates what feeds `targets` (default: every output node). Never throws: failures and
    // cancellation are in the outcome, and nodes finished before them stay cached. Only the
    // latest outputs of each node are kept: older results are dropped after each run.
    RunOutcome run(const Graph& graph, RunContext& context, const QStringList& targets = {});
    // The outputs of a node from the last run that computed it (empty when not cached).
    Values outputs_of(const QString& node) const;
    void clear_cache() { cache_.clear(); }
    int cached_results() const { return static_cast<int>(cache_.size()); }

private:
    RunOutcome run_nodes(const Graph& graph, RunContext& context, const QStringList& targets);
    void forget_superseded(const Graph& graph);
    QString signature(const Graph& graph, const QString& node, const QHash<QString, QString>& signatures) const;

    const NodePacks& packs_;
    QHash<QString, Values> cache_;           // signature -> outputs
    QHash<QString, QString> last_signature_;  // node id -> signature of its last run
};

}  // namespace irl::nodes
