// The graph artists build: nodes with stable ids and parameters, and links between typed ports.
// Every edit that would break the rules is refused with a reason; the view is kept apart.
#pragma once

#include "irl/nodes/node_registry.h"

#include <QHash>
#include <QJsonObject>
#include <QPointF>
#include <QString>
#include <QVariantMap>
#include <QVector>

#include <optional>

namespace irl::nodes {

struct Node {
    QString id;        // stable across saves: "sampler-1"
    QString type;      // NodeTypeInfo::id
    QVariantMap parameters;
    // A type no loaded pack provides: kept as it was read (parameters and links) so that
    // saving does not lose it, but it cannot run.
    bool unknown_type = false;
};

struct PortRef {
    QString node;
    QString port;
    bool operator==(const PortRef& o) const { return node == o.node && port == o.port; }
};

struct Link {
    PortRef from;  // an output
    PortRef to;    // an input
    bool operator==(const Link& o) const { return from == o.from && to == o.to; }
};

// What the graph does not compute: where nodes sit and how the canvas is zoomed.
struct GraphView {
    QHash<QString, QPointF> positions;
    double zoom = 1.0;
    QPointF center;
};

class Graph {
public:
    explicit Graph(const NodeRegistry* registry = nullptr) : registry_(registry) {}

    const NodeRegistry* registry() const { return registry_; }
    const QVector<Node>& nodes() const { return nodes_; }
    const QVector<Link>& links() const { return links_; }
    GraphView& view() { return view_; }
    const GraphView& view() const { return view_; }

    const Node* node(const QString& id) const;
    const NodeTypeInfo* type_of(const QString& node_id) const;

    // Adds a node of a registered type with default parameters; the id is made unique from the
    // type ("sampler-2") unless given. Returns the id, or an empty string with *error set.
    QString add_node(const QString& type, QString* error = nullptr, const QString& id = {});
    // Adds a node as read from a file (any type, any parameters); no checks.
    void insert_node(const Node& node) { nodes_.push_back(node); }
    // Removes the node and its links.
    bool remove_node(const QString& id);
    bool set_parameter(const QString& node, const QString& name, const QVariant& value, QString* error = nullptr);

    // Why `link` may not be added (empty when it may): unknown ports, incompatible types, an
    // input already linked, a cycle.
    QString why_not(const Link& link) const;
    bool connect(const Link& link, QString* error = nullptr);
    bool disconnect(const Link& link);
    void insert_link(const Link& link) { links_.push_back(link); }  // from a file; no checks
    std::optional<Link> link_into(const PortRef& input) const;

    // Node ids in dependency order, restricted to what feeds `targets` (all nodes when empty).
    QStringList topological_order(const QStringList& targets = {}) const;
    QStringList output_nodes() const;  // nodes whose type is an output node
    QString unique_id(const QString& type) const;

private:
    bool reaches(const QString& from, const QString& to) const;

    const NodeRegistry* registry_;
    QVector<Node> nodes_;
    QVector<Link> links_;
    GraphView view_;
};

}  // namespace irl::nodes
