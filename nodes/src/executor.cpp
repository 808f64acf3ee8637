#include "irl/nodes/executor.h"

#include "irl/engine/core/diagnostics.h"
#include "irl/engine/core/enum_names.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

namespace irl::nodes {

namespace {

constexpr EnumNames<NodeStatus, 6> kStatusNames = {{
    {NodeStatus::Pending, "pending"}, {NodeStatus::Running, "running"}, {NodeStatus::Cached, "cached"},
    {NodeStatus::Done, "done"},       {NodeStatus::Failed, "failed"},   {NodeStatus::Cancelled, "cancelled"},
}};
static_assert(in_enum_order(kStatusNames), "kStatusNames must follow enum NodeStatus");
static_assert(static_cast<size_t>(NodeStatus::Cancelled) + 1 == kStatusNames.size(), "every node status needs a name");

}  // namespace

QString to_string(NodeStatus status) { return enum_name(kStatusNames, status); }

QString Executor::signature(const Graph& graph, const QString& id, const QHash<QString, QString>& signatures) const {
    // Type + parameters (canonical JSON, keys sorted) + the signatures of what feeds each input.
    const Node* node = graph.node(id);
    QJsonObject inputs;
    for (const Link& l : graph.links())
        if (l.to.node == id) inputs.insert(l.to.port, signatures.value(l.from.node) + "/" + l.from.port);
    const QJsonObject key{{"type", node->type}, {"params", QJsonObject::fromVariantMap(node->parameters)}, {"inputs", inputs}};
    return QCryptographicHash::hash(QJsonDocument(key).toJson(QJsonDocument::Compact), QCryptographicHash::Sha256).toHex();
}

Values Executor::outputs_of(const QString& node) const {
    return cache_.value(last_signature_.value(node));
}

RunOutcome Executor::run(const Graph& graph, RunContext& context, const QStringList& targets) {
    RunOutcome outcome = run_nodes(graph, context, targets);
    forget_superseded(graph);
    return outcome;
}

void Executor::forget_superseded(const Graph& graph) {
    // The cache holds what each node of the graph computed last, nothing older: an artist who
    // tries a hundred seeds keeps one set of images, not a hundred.
    for (auto it = last_signature_.begin(); it != last_signature_.end();)
        it = graph.node(it.key()) ? std::next(it) : last_signature_.erase(it);
    QSet<QString> live;
    for (const QString& sig : std::as_const(last_signature_)) live.insert(sig);
    for (auto it = cache_.begin(); it != cache_.end();) it = live.contains(it.key()) ? std::next(it) : cache_.erase(it);
}

RunOutcome Executor::run_nodes(const Graph& graph, RunContext& context, const QStringList& targets_in) {
    RunOutcome outcome;
    QElapsedTimer total;
    total.start();
    const QStringList targets = targets_in.isEmpty() ? graph.output_nodes() : targets_in;
    if (targets.isEmpty()) {
        outcome.error = "the graph has no output node (Save Image, Preview, Evaluate, ...)";
        return outcome;
    }
    outcome.order = graph.topological_order(targets);
    for (const QString& id : outcome.order) outcome.nodes[id] = {};
    auto set_status = [&](const QString& id, NodeStatus status, const QString& message = {}) {
        outcome.nodes[id].status = status;
        outcome.nodes[id].message = message;
        if (on_status) on_status(id, status, message);
    };
    for (const QString& id : outcome.order) set_status(id, NodeStatus::Pending);

    QHash<QString, QString> signatures;
    for (const QString& id : outcome.order) {
        const Node* node = graph.node(id);
        const NodeTypeInfo* info = packs_.registry().find(node->type);
        NodePackInterface* pack = packs_.pack_for(node->type);
        if (!info || !pack) {
            set_status(id, NodeStatus::Failed, "no loaded node pack provides the type '" + node->type + "'");
            outcome.error = id + ": " + outcome.nodes[id].message;
            return outcome;
        }
        const QString sig = signature(graph, id, signatures);
        signatures.insert(id, sig);
        last_signature_.insert(id, sig);
        if (cache_.contains(sig)) {
            set_status(id, NodeStatus::Cached);
            continue;
        }
        Values inputs;
        for (const PortSpec& port : info->inputs) {
            const auto link = graph.link_into({id, port.name});
            if (!link) {
                if (port.optional) continue;
                set_status(id, NodeStatus::Failed, "the input '" + port.name + "' is not connected");
                outcome.error = id + ": " + outcome.nodes[id].message;
                return outcome;
            }
            inputs.insert(port.name, cache_.value(signatures.value(link->from.node)).value(link->from.port));
        }
        set_status(id, NodeStatus::Running);
        QElapsedTimer timer;
        timer.start();
        context.node = id;
        auto previous_report = context.report;
        context.report = [&, previous_report](const QString& n, const QString& key, double value) {
            outcome.nodes[n].numbers.insert(key, value);
            if (previous_report) previous_report(n, key, value);
        };
        try {
            std::unique_ptr<NodeEvaluator> evaluator = pack->create(node->type);
            if (!evaluator) throw std::runtime_error("the pack '" + pack->pack_name().toStdString() + "' cannot create it");
            cache_.insert(sig, evaluator->evaluate(inputs, node->parameters, context));
            context.report = previous_report;
        } catch (const Cancelled&) {
            context.report = previous_report;
            set_status(id, NodeStatus::Cancelled, "cancelled");
            outcome.cancelled = true;
            outcome.error = "cancelled";
            outcome.seconds = total.elapsed() / 1000.0;
            return outcome;
        } catch (const std::exception& e) {
            context.report = previous_report;
            // One sentence for the user: LibTorch's stack trace is not part of it.
            const QString message = QString::fromStdString(irl::user_message(e.what()));
            set_status(id, NodeStatus::Failed, message);
            outcome.error = id + ": " + message;
            outcome.seconds = total.elapsed() / 1000.0;
            return outcome;
        }
        outcome.nodes[id].seconds = timer.elapsed() / 1000.0;
        set_status(id, NodeStatus::Done);
    }
    outcome.ok = true;
    outcome.seconds = total.elapsed() / 1000.0;
    return outcome;
}

}  // namespace irl::nodes
