// Edits are tried on a copy of the graph with Graph's own methods (so its checks always apply);
// an accepted copy is pushed as a GraphEditCommand, and apply() emits the difference.
#include "graph_document.h"

#include "graph_edit_command.h"

#include "irl/nodes/graph_file.h"

#include <QSet>
#include <QUndoStack>

namespace irl::studio {

using irl::nodes::Graph;
using irl::nodes::Link;
using irl::nodes::Node;

namespace {

QHash<QString, const Node*> nodes_by_id(const Graph& graph) {
    QHash<QString, const Node*> map;
    for (const Node& n : graph.nodes()) map.insert(n.id, &n);
    return map;
}

bool same_graph(const Graph& a, const Graph& b) {
    if (a.nodes().size() != b.nodes().size() || a.links() != b.links()) return false;
    for (qsizetype i = 0; i < a.nodes().size(); ++i) {
        const Node& x = a.nodes()[i];
        const Node& y = b.nodes()[i];
        if (x.id != y.id || x.type != y.type || x.parameters != y.parameters || x.unknown_type != y.unknown_type)
            return false;
    }
    return a.view().positions == b.view().positions;
}

QString display_name(const Graph& graph, const QString& id) {
    const auto* info = graph.type_of(id);
    return info ? info->display_name : id;
}

}  // namespace

GraphDocument::GraphDocument(const irl::nodes::NodeRegistry& registry, QObject* parent)
    : QObject(parent), registry_(registry), graph_(&registry), undo_stack_(new QUndoStack(this)) {}

GraphDocument::~GraphDocument() {
    // The commands point back at this document; drop them before the graph goes.
    undo_stack_->clear();
}

void GraphDocument::reset(const Graph& graph) {
    undo_stack_->clear();
    graph_ = graph;
    undo_stack_->setClean();
    Q_EMIT reset_done();
    Q_EMIT changed();
}

void GraphDocument::push(const QString& text, const Graph& next, const QString& merge_key) {
    if (same_graph(graph_, next)) return;
    undo_stack_->push(new GraphEditCommand(this, text, graph_, next, merge_key));
}

void GraphDocument::apply(const Graph& next) {
    const Graph previous = graph_;
    graph_ = next;
    const auto before = nodes_by_id(previous);
    const auto after = nodes_by_id(graph_);
    auto replaced = [&](const QString& id) {
        const Node* a = before.value(id);
        const Node* b = after.value(id);
        return a && b && (a->type != b->type || a->unknown_type != b->unknown_type);
    };

    // Removals first (links before their nodes), then additions (nodes before their links).
    for (const Link& l : previous.links())
        if (!graph_.links().contains(l) || replaced(l.from.node) || replaced(l.to.node)) Q_EMIT link_removed(l);
    for (const Node& n : previous.nodes())
        if (!after.contains(n.id) || replaced(n.id)) Q_EMIT node_removed(n.id);
    for (const Node& n : graph_.nodes())
        if (!before.contains(n.id) || replaced(n.id)) Q_EMIT node_added(n.id);
    for (const Link& l : graph_.links())
        if (!previous.links().contains(l) || replaced(l.from.node) || replaced(l.to.node)) Q_EMIT link_added(l);

    for (const Node& n : graph_.nodes()) {
        const Node* old = before.value(n.id);
        if (!old || replaced(n.id)) continue;
        QSet<QString> names(n.parameters.keyBegin(), n.parameters.keyEnd());
        for (auto it = old->parameters.keyBegin(); it != old->parameters.keyEnd(); ++it) names.insert(*it);
        for (const QString& name : names)
            if (n.parameters.value(name) != old->parameters.value(name)) Q_EMIT parameter_changed(n.id, name);
        const auto& was = previous.view().positions;
        const auto& now = graph_.view().positions;
        if (was.contains(n.id) != now.contains(n.id) || was.value(n.id) != now.value(n.id)) Q_EMIT node_moved(n.id);
    }
    Q_EMIT changed();
}

QString GraphDocument::add_node(const QString& type, const QPointF& position, QString* error) {
    Graph next = graph_;
    const QString id = next.add_node(type, error);
    if (id.isEmpty()) return {};
    next.view().positions.insert(id, position);
    push(tr("Add %1").arg(display_name(next, id)), next);
    return id;
}

bool GraphDocument::remove_nodes(const QStringList& ids) {
    Graph next = graph_;
    int removed = 0;
    for (const QString& id : ids) removed += next.remove_node(id) ? 1 : 0;
    if (removed == 0) return false;
    push(removed == 1 ? tr("Delete %1").arg(display_name(graph_, ids.first())) : tr("Delete %n nodes", nullptr, removed),
         next);
    return true;
}

bool GraphDocument::connect_ports(const Link& link, QString* error) {
    if (graph_.links().contains(link)) return true;
    Graph next = graph_;
    if (auto existing = next.link_into(link.to)) next.disconnect(*existing);
    if (!next.connect(link, error)) return false;
    push(tr("Connect %1.%2 to %3.%4").arg(link.from.node, link.from.port, link.to.node, link.to.port), next);
    return true;
}

bool GraphDocument::disconnect_link(const Link& link) {
    Graph next = graph_;
    if (!next.disconnect(link)) return false;
    push(tr("Disconnect %1.%2 from %3.%4").arg(link.from.node, link.from.port, link.to.node, link.to.port), next);
    return true;
}

bool GraphDocument::set_parameter(const QString& node, const QString& name, const QVariant& value, QString* error) {
    Graph next = graph_;
    if (!next.set_parameter(node, name, value, error)) return false;
    push(tr("Set %1.%2").arg(node, name), next, "parameter:" + node + "." + name);
    return true;
}

void GraphDocument::move_nodes(const QHash<QString, QPointF>& positions) {
    Graph next = graph_;
    for (auto it = positions.begin(); it != positions.end(); ++it)
        if (next.node(it.key())) next.view().positions.insert(it.key(), it.value());
    push(positions.size() == 1 ? tr("Move %1").arg(positions.begin().key()) : tr("Move %n nodes", nullptr, int(positions.size())),
         next);
}

void GraphDocument::set_view_state(double zoom, const QPointF& center) {
    graph_.view().zoom = zoom;
    graph_.view().center = center;
}

QByteArray GraphDocument::copy(const QStringList& ids) const {
    Graph part(&registry_);
    for (const Node& n : graph_.nodes()) {
        if (!ids.contains(n.id)) continue;
        part.insert_node(n);
        if (graph_.view().positions.contains(n.id)) part.view().positions.insert(n.id, graph_.view().positions.value(n.id));
    }
    for (const Link& l : graph_.links())
        if (ids.contains(l.from.node) && ids.contains(l.to.node)) part.insert_link(l);
    if (part.nodes().isEmpty()) return {};
    return irl::nodes::write_graph(part);
}

QStringList GraphDocument::paste(const QByteArray& fragment, const QPointF& offset, QString* error) {
    const auto loaded = irl::nodes::read_graph(fragment, registry_, tr("the clipboard"));
    if (!loaded.graph) {
        if (error) *error = loaded.summary();
        return {};
    }
    const Graph& part = *loaded.graph;
    Graph next = graph_;
    QHash<QString, QString> renamed;
    QStringList added;
    for (const Node& n : part.nodes()) {
        Node copy = n;
        copy.id = next.unique_id(n.type);
        renamed.insert(n.id, copy.id);
        next.insert_node(copy);
        next.view().positions.insert(copy.id, part.view().positions.value(n.id) + offset);
        added << copy.id;
    }
    for (const Link& l : part.links()) {
        const Link moved{{renamed.value(l.from.node), l.from.port}, {renamed.value(l.to.node), l.to.port}};
        next.connect(moved);  // a link Graph refuses (e.g. into an unknown type) is dropped
    }
    if (added.isEmpty()) {
        if (error) *error = tr("nothing to paste");
        return {};
    }
    push(added.size() == 1 ? tr("Paste %1").arg(added.first()) : tr("Paste %n nodes", nullptr, int(added.size())), next);
    return added;
}

QStringList GraphDocument::duplicate(const QStringList& ids) {
    const QByteArray fragment = copy(ids);
    if (fragment.isEmpty()) return {};
    return paste(fragment, QPointF(40, 40));
}

}  // namespace irl::studio
