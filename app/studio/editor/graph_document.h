// The graph being edited, with its undo stack: every edit goes through irl::nodes::Graph's own
// checks on a copy, and the accepted result becomes one undoable step that widgets hear about.
#pragma once

#include "irl/nodes/graph.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QPointF>
#include <QStringList>
#include <QVariant>

class QUndoStack;

namespace irl::studio {

class GraphDocument : public QObject {
    Q_OBJECT
public:
    explicit GraphDocument(const irl::nodes::NodeRegistry& registry, QObject* parent = nullptr);
    ~GraphDocument() override;

    const irl::nodes::Graph& graph() const { return graph_; }
    const irl::nodes::NodeRegistry& registry() const { return registry_; }
    QUndoStack* undo_stack() { return undo_stack_; }

    // New/Open: replaces everything, clears the undo stack and marks it clean.
    void reset(const irl::nodes::Graph& graph);

    // Each edit is one undo step; a refused edit changes nothing and says why in *error.
    QString add_node(const QString& type, const QPointF& position, QString* error = nullptr);
    bool remove_nodes(const QStringList& ids);
    // An input takes one link: a new link into a linked input replaces the old one.
    bool connect_ports(const irl::nodes::Link& link, QString* error = nullptr);
    bool disconnect_link(const irl::nodes::Link& link);
    // Consecutive edits of the same parameter merge into one step.
    bool set_parameter(const QString& node, const QString& name, const QVariant& value, QString* error = nullptr);
    void move_nodes(const QHash<QString, QPointF>& positions);

    // A graph-file fragment with the nodes, the links between them and their positions.
    QByteArray copy(const QStringList& ids) const;
    // Adds the fragment's nodes under fresh ids, moved by `offset`; returns the new ids.
    QStringList paste(const QByteArray& fragment, const QPointF& offset, QString* error = nullptr);
    QStringList duplicate(const QStringList& ids);

    // Zoom and centre are saved with the graph but are not edits (no undo step, stays clean).
    void set_view_state(double zoom, const QPointF& center);

    // Replaces the graph by `next` and emits what differs; used by the undo commands.
    void apply(const irl::nodes::Graph& next);

Q_SIGNALS:
    void reset_done();
    void node_added(const QString& id);
    void node_removed(const QString& id);
    void link_added(const irl::nodes::Link& link);
    void link_removed(const irl::nodes::Link& link);
    void parameter_changed(const QString& node, const QString& name);
    void node_moved(const QString& id);
    void changed();

private:
    // Pushes `next` as one step unless it equals the current graph; `merge_key` non-empty lets
    // consecutive steps with the same key merge.
    void push(const QString& text, const irl::nodes::Graph& next, const QString& merge_key = {});

    const irl::nodes::NodeRegistry& registry_;
    irl::nodes::Graph graph_;
    QUndoStack* undo_stack_;
};

}  // namespace irl::studio
