// The node-pack plugin interface: a pack declares its port types and node types and evaluates
// its nodes. The built-in nodes are one pack; third parties add others. The interface version is
// part of the IID.
#pragma once

#include "irl/engine/core/cancel.h"
#include "irl/nodes/node_type.h"
#include "irl/nodes/previews.h"

#include <QHash>
#include <QString>
#include <QVariantMap>
#include <QVector>
#include <QtPlugin>

#include <any>
#include <atomic>
#include <functional>
#include <memory>

namespace irl::nodes {

// Values flowing along links: each port type has one C++ type, defined by the pack that makes
// it (the built-in pack's are in builtin_values.h); the executor never looks inside.
using Value = std::any;
using Values = QHash<QString, Value>;  // port name -> value

// Requests an interactive trainer honours between iterations (the window's Pause, Resume, Stop
// and Save checkpoint). Stop ends training early and keeps what was learned; cancel discards.
struct TrainingControl {
    std::atomic<bool> paused{false};
    std::atomic<bool> stop{false};
    std::atomic<int> checkpoint_requests{0};
    void reset() { paused = false; stop = false; checkpoint_requests = 0; }
};

// What a node sees of the run: cancel, progress, previews and where outputs go.
struct RunContext {
    const CancelToken* cancel = nullptr;
    std::function<void(const QString& node, double fraction, const QString& message)> progress;
    std::function<void(const SamplingPreview&)> sampling_preview;
    std::function<void(const TrainingReport&)> training_report;
    // One sentence the window shows and logs ("checkpoint written to ...").
    std::function<void(const QString& node, const QString& text)> notice;
    QString output_dir = ".";
    QByteArray graph_json;  // the graph being run, for outputs that embed it
    QString graph_file;     // the file the graph was read from (if any), which no output may overwrite
    QString node;           // the node being evaluated (set by the executor)
    // Numbers a node reports (function evaluations, metrics) for the run summary.
    std::function<void(const QString& node, const QString& key, double value)> report;
    TrainingControl* training = nullptr;  // set by interactive runners; nullptr: train to the end
};

class NodeEvaluator {
public:
    virtual ~NodeEvaluator() = default;
    // Computes the outputs from the inputs and parameters. Throws std::exception with a message
    // for the user on failure, irl::Cancelled when the context's token fires.
    virtual Values evaluate(const Values& inputs, const QVariantMap& parameters, RunContext& context) = 0;
};

class NodePackInterface {
public:
    virtual ~NodePackInterface() = default;
    virtual QString pack_name() const = 0;
    // The kinds of values this pack's ports carry that no other pack declares (name and colour).
    virtual QVector<PortTypeInfo> port_types() const = 0;
    virtual QVector<NodeTypeInfo> node_types() const = 0;
    virtual std::unique_ptr<NodeEvaluator> create(const QString& type) const = 0;
};

}  // namespace irl::nodes

// Version 2: packs declare their port types; previews and training reports are typed structs.
#define IRL_NODE_PACK_IID "org.irlstudio.NodePack/2"
Q_DECLARE_INTERFACE(irl::nodes::NodePackInterface, IRL_NODE_PACK_IID)
