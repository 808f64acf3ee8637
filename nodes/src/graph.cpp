#include "irl/nodes/graph.h"

#include <QSet>

namespace irl::nodes {
namespace {

// "a Churn action", "an Images value": labels are nouns the message puts an article before.
QString with_article(const QString& label) {
    const QChar first = label.isEmpty() ? QChar('x') : label.front().toLower();
    return (QStringLiteral("aeiou").contains(first) ? "an " : "a ") + label;
}

}  // namespace

const Node* Graph::node(const QString& id) const {
    for (const Node& n : nodes_)
        if (n.id == id) return &n;
    return nullptr;
}

const NodeTypeInfo* Graph::type_of(const QString& node_id) const {
    const Node* n = node(node_id);
    return n && registry_ ? registry_->find(n->type) : nullptr;
}

QString Graph::unique_id(const QString& type) const {
    // "irl.sampler" -> "sampler-1", "sampler-2", ...
    const QString stem = type.section('.', -1).toLower();
    for (int i = 1;; ++i) {
        const QString id = stem + "-" + QString::number(i);
        if (!node(id)) return id;
    }
}

QString Graph::add_node(const QString& type, QString* error, const QString& id) {
    const NodeTypeInfo* info = registry_ ? registry_->find(type) : nullptr;
    if (!info) {
        if (error) *error = "unknown node type '" + type + "'";
        return {};
    }
    if (!id.isEmpty() && node(id)) {
        if (error) *error = "a node called '" + id + "' exists already";
        return {};
    }
    Node n{id.isEmpty() ? unique_id(type) : id, type, info->default_parameters(), false};
    nodes_.push_back(n);
    return n.id;
}

bool Graph::remove_node(const QString& id) {
    const auto before = nodes_.size();
    nodes_.erase(std::remove_if(nodes_.begin(), nodes_.end(), [&](const Node& n) { return n.id == id; }), nodes_.end());
    if (nodes_.size() == before) return false;
    links_.erase(std::remove_if(links_.begin(), links_.end(),
                                [&](const Link& l) { return l.from.node == id || l.to.node == id; }),
                 links_.end());
    view_.positions.remove(id);
    return true;
}

bool Graph::set_parameter(const QString& node_id, const QString& name, const QVariant& value, QString* error) {
    auto it = std::find_if(nodes_.begin(), nodes_.end(), [&](const Node& n) { return n.id == node_id; });
    if (it == nodes_.end()) {
        if (error) *error = "no node called '" + node_id + "'";
        return false;
    }
    const NodeTypeInfo* info = type_of(node_id);
    const ParameterSchema* schema = info ? info->parameter(name) : nullptr;
    if (!schema) {
        if (error) *error = node_id + " has no parameter '" + name + "'";
        return false;
    }
    QString why;
    const auto checked = schema->validate(value, &why);
    if (!checked) {
        if (error) *error = node_id + "." + name + ": " + why;
        return false;
    }
    it->parameters.insert(name, *checked);
    return true;
}

std::optional<Link> Graph::link_into(const PortRef& input) const {
    for (const Link& l : links_)
        if (l.to == input) return l;
    return std::nullopt;
}

bool Graph::reaches(const QString& from, const QString& to) const {
    // Is `to` downstream of `from`?
    QSet<QString> seen;
    QVector<QString> stack{from};
    while (!stack.isEmpty()) {
        const QString at = stack.takeLast();
        if (at == to) return true;
        if (seen.contains(at)) continue;
        seen.insert(at);
        for (const Link& l : links_)
            if (l.from.node == at) stack.push_back(l.to.node);
    }
    return false;
}

QString Graph::why_not(const Link& link) const {
    const Node* from = node(link.from.node);
    const Node* to = node(link.to.node);
    if (!from) return "no node called '" + link.from.node + "'";
    if (!to) return "no node called '" + link.to.node + "'";
    const NodeTypeInfo* from_type = type_of(from->id);
    const NodeTypeInfo* to_type = type_of(to->id);
    if (!from_type) return from->id + " has the unknown type '" + from->type + "'";
    if (!to_type) return to->id + " has the unknown type '" + to->type + "'";
    const PortSpec* out = from_type->output(link.from.port);
    const PortSpec* in = to_type->input(link.to.port);
    if (!out) return from_type->display_name + " has no output '" + link.from.port + "'";
    if (!in) return to_type->display_name + " has no input '" + link.to.port + "'";
    if (out->type != in->type) {
        const QString given = registry_->port_label(out->type), wanted = registry_->port_label(in->type);
        return "the input '" + in->name + "' of " + to->id + " takes " + with_article(wanted) + ", and " + from->id + " gives " +
               with_article(given);
    }
    if (link_into(link.to)) return "the input '" + in->name + "' of " + to->id + " is already connected";
    if (link.from.node == link.to.node || reaches(link.to.node, link.from.node))
        return "linking " + from->id + " to " + to->id + " would make a cycle";
    return {};
}

bool Graph::connect(const Link& link, QString* error) {
    const QString why = why_not(link);
    if (!why.isEmpty()) {
        if (error) *error = why;
        return false;
    }
    links_.push_back(link);
    return true;
}

bool Graph::disconnect(const Link& link) {
    const auto before = links_.size();
    links_.removeAll(link);
    return links_.size() != before;
}

QStringList Graph::output_nodes() const {
    QStringList ids;
    for (const Node& n : nodes_) {
        const NodeTypeInfo* info = registry_ ? registry_->find(n.type) : nullptr;
        if (info && info->is_output) ids << n.id;
    }
    return ids;
}

QStringList Graph::topological_order(const QStringList& targets) const {
    // Depth-first from the targets along incoming links; post-order is a dependency order.
    QStringList order;
    QSet<QString> done, active;
    std::function<void(const QString&)> visit = [&](const QString& id) {
        if (done.contains(id) || active.contains(id)) return;
        active.insert(id);
        for (const Link& l : links_)
            if (l.to.node == id) visit(l.from.node);
        active.remove(id);
        done.insert(id);
        order << id;
    };
    if (targets.isEmpty())
        for (const Node& n : nodes_) visit(n.id);
    else
        for (const QString& t : targets) visit(t);
    return order;
}

}  // namespace irl::nodes
