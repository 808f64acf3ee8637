// The canvas of the node editor: one NodeItem per node and one LinkItem per link, kept in step
// with a GraphDocument. It turns mouse and key gestures (link drags, moves, delete, copy, paste,
// duplicate) into document edits, and shows the executor's per-node run status.
#pragma once

#include "graph_document.h"

#include <QColor>
#include <QGraphicsScene>
#include <QHash>
#include <QPointF>

#include <optional>

namespace irl::studio {

class LinkItem;
class NodeItem;
class PortItem;

class NodeScene : public QGraphicsScene {
    Q_OBJECT
public:
    explicit NodeScene(GraphDocument* document, QObject* parent = nullptr);
    ~NodeScene() override;

    GraphDocument* document() const { return document_; }

    // `status` is int(irl::nodes::NodeStatus); a failed node shows `message` in its tooltip.
    void set_node_status(const QString& node, int status, const QString& message);
    void clear_statuses();
    void set_node_results(const QString& node, const QString& results);
    // Clears the status of `node` and of every node downstream of it (their results are stale).
    void mark_stale(const QString& node);

    QStringList selected_node_ids() const;
    void select_nodes(const QStringList& ids);
    QGraphicsItem* node_item(const QString& id) const;
    // Centre of a port in scene coordinates (a null point when there is no such port).
    QPointF port_scene_position(const irl::nodes::PortRef& port, bool output) const;

    void delete_selection();
    void copy_selection();
    void paste_clipboard(const QPointF& at);
    void duplicate_selection();

    // What the palette's choice should do: add the node at `scene_position` and, when the palette
    // was opened by dropping a link, connect `from` to the new node's first port that accepts it.
    // All of it is one undo step. Returns the new id (empty with *error on refusal).
    QString add_node_at(const QString& type, const QPointF& scene_position,
                        const std::optional<irl::nodes::PortRef>& from = std::nullopt, bool from_output = true,
                        QString* error = nullptr);

    // Called by a NodeItem while it moves.
    void reroute_links(const QString& node);

    static constexpr const char* kMimeType = "application/x-irlstudio-graph";

Q_SIGNALS:
    void selected_nodes_changed(const QStringList& ids);
    // Double-click on empty canvas (`from` empty, `type` -1), or a link dropped on empty canvas
    // (`from` the dragged port, `type` its port type, `from_output` true from an output).
    void palette_requested(const QPointF& scene_position, const std::optional<irl::nodes::PortRef>& from, const QString& type,
                           bool from_output);
    void message(const QString& text);

protected:
    void mousePressEvent(QGraphicsSceneMouseEvent* event) override;
    void mouseMoveEvent(QGraphicsSceneMouseEvent* event) override;
    void mouseReleaseEvent(QGraphicsSceneMouseEvent* event) override;
    void mouseDoubleClickEvent(QGraphicsSceneMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;

private:
    struct LinkDrag {
        irl::nodes::PortRef anchor;  // the end that stays put
        bool from_output = true;     // the anchor is an output
        QString type;   // the dragged port's type
        QColor colour;
        std::optional<irl::nodes::Link> picked;  // a link lifted off an input
        LinkItem* curve = nullptr;
        QHash<PortItem*, QString> refusals;      // empty string: this port would accept
    };

    void rebuild();
    void add_node_item(const QString& id);
    void remove_node_item(const QString& id);
    void add_link_item(const irl::nodes::Link& link);
    void remove_link_item(const irl::nodes::Link& link);
    LinkItem* link_item(const irl::nodes::Link& link) const;
    void place_unpositioned_nodes();
    void on_selection_changed();

    PortItem* port_at(const QPointF& scene_position) const;
    void begin_link_drag(PortItem* port, const QPointF& scene_position);
    void update_link_drag(const QPointF& scene_position);
    void finish_link_drag(const QPointF& scene_position);
    void cancel_link_drag();

    GraphDocument* document_;
    QHash<QString, NodeItem*> nodes_;
    QVector<LinkItem*> links_;
    std::optional<LinkDrag> drag_;
    QHash<QString, QPointF> press_positions_;
    std::optional<QPointF> last_mouse_position_;
    QByteArray clipboard_fallback_;
    QStringList last_selection_;
    bool selecting_ = false;
};

}  // namespace irl::studio
