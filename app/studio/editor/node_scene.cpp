// Items mirror the document: the scene never edits them directly except while the mouse moves
// nodes; every change goes to the GraphDocument and comes back through its signals. The link
// drag lives in node_scene_drag.cpp.
#include "node_scene.h"

#include <QSet>

#include "editor_style.h"
#include "link_item.h"
#include "node_item.h"
#include "port_item.h"

#include "irl/nodes/graph_file.h"

#include <QClipboard>
#include <QGraphicsSceneMouseEvent>
#include <QGuiApplication>
#include <QKeyEvent>
#include <QMimeData>
#include <QUndoStack>

namespace irl::studio {

using irl::nodes::Link;
using irl::nodes::PortRef;

NodeScene::NodeScene(GraphDocument* document, QObject* parent) : QGraphicsScene(parent), document_(document) {
    setItemIndexMethod(QGraphicsScene::NoIndex);  // items move a lot and there are few of them
    connect(document_, &GraphDocument::reset_done, this, &NodeScene::rebuild);
    connect(document_, &GraphDocument::node_added, this, &NodeScene::add_node_item);
    connect(document_, &GraphDocument::node_removed, this, &NodeScene::remove_node_item);
    connect(document_, &GraphDocument::link_added, this, &NodeScene::add_link_item);
    connect(document_, &GraphDocument::link_removed, this, &NodeScene::remove_link_item);
    connect(document_, &GraphDocument::node_moved, this, [this](const QString& id) {
        auto* item = nodes_.value(id);
        if (item && document_->graph().view().positions.contains(id)) item->setPos(document_->graph().view().positions.value(id));
    });
    // A run's statuses describe the graph as it ran: an edit makes what depends on it stale.
    connect(document_, &GraphDocument::parameter_changed, this, [this](const QString& node, const QString&) { mark_stale(node); });
    connect(document_, &GraphDocument::link_added, this, [this](const irl::nodes::Link& link) { mark_stale(link.to.node); });
    connect(document_, &GraphDocument::link_removed, this, [this](const irl::nodes::Link& link) { mark_stale(link.to.node); });
    connect(document_, &GraphDocument::node_added, this, [this](const QString&) { cancel_link_drag(); });
    connect(document_, &GraphDocument::node_removed, this, [this](const QString&) { cancel_link_drag(); });
    connect(this, &QGraphicsScene::selectionChanged, this, &NodeScene::on_selection_changed);
    rebuild();
}

NodeScene::~NodeScene() {
    // Items are deleted by QGraphicsScene; stop reacting to their removal first.
    disconnect(this, &QGraphicsScene::selectionChanged, this, &NodeScene::on_selection_changed);
}

void NodeScene::rebuild() {
    cancel_link_drag();
    press_positions_.clear();
    selecting_ = true;
    for (LinkItem* link : std::as_const(links_)) delete link;
    links_.clear();
    for (NodeItem* node : std::as_const(nodes_)) delete node;
    nodes_.clear();
    selecting_ = false;
    for (const auto& node : document_->graph().nodes()) add_node_item(node.id);
    place_unpositioned_nodes();
    for (const Link& link : document_->graph().links()) add_link_item(link);
    on_selection_changed();
}

void NodeScene::place_unpositioned_nodes() {
    // A graph written by hand may have no view: lay it out in columns by dependency depth.
    const auto& graph = document_->graph();
    QHash<QString, int> depth;
    for (const QString& id : graph.topological_order()) {
        int d = 0;
        for (const Link& l : graph.links())
            if (l.to.node == id) d = std::max(d, depth.value(l.from.node) + 1);
        depth.insert(id, d);
    }
    QHash<int, int> rows;
    for (const auto& node : graph.nodes()) {
        if (graph.view().positions.contains(node.id)) continue;
        const int column = depth.value(node.id);
        const int row = rows[column]++;
        if (auto* item = nodes_.value(node.id)) item->setPos(column * 260.0, row * 160.0);
    }
}

void NodeScene::add_node_item(const QString& id) {
    const auto* node = document_->graph().node(id);
    if (!node || nodes_.contains(id)) return;
    auto* item = new NodeItem(*node, node->unknown_type ? nullptr : document_->graph().type_of(id), document_->graph().registry());
    const auto& positions = document_->graph().view().positions;
    if (positions.contains(id)) item->setPos(positions.value(id));
    nodes_.insert(id, item);
    addItem(item);
}

void NodeScene::remove_node_item(const QString& id) {
    for (qsizetype i = links_.size() - 1; i >= 0; --i)
        if (links_[i]->link().from.node == id || links_[i]->link().to.node == id) delete links_.takeAt(i);
    press_positions_.remove(id);
    delete nodes_.take(id);
}

LinkItem* NodeScene::link_item(const Link& link) const {
    for (LinkItem* item : links_)
        if (item->link() == link) return item;
    return nullptr;
}

void NodeScene::add_link_item(const Link& link) {
    if (link_item(link)) return;
    auto* from = nodes_.value(link.from.node);
    auto* to = nodes_.value(link.to.node);
    PortItem* out = from ? from->port(link.from.port, true) : nullptr;
    if (!out || !to || !to->port(link.to.port, false)) return;  // e.g. into a node of an unknown type
    auto* item = new LinkItem(link, out->colour());
    links_.push_back(item);
    addItem(item);
    item->set_ends(out->scene_center(), to->port(link.to.port, false)->scene_center());
}

void NodeScene::remove_link_item(const Link& link) {
    if (LinkItem* item = link_item(link)) {
        links_.removeAll(item);
        delete item;
    }
}

void NodeScene::reroute_links(const QString& node) {
    for (LinkItem* item : std::as_const(links_)) {
        const Link& l = item->link();
        if (l.from.node != node && l.to.node != node) continue;
        item->set_ends(port_scene_position(l.from, true), port_scene_position(l.to, false));
    }
}

void NodeScene::set_node_status(const QString& node, int status, const QString& message) {
    if (auto* item = nodes_.value(node)) item->set_status(status, message);
}

void NodeScene::mark_stale(const QString& node) {
    // The node and everything downstream of it lose their done/cached status.
    QStringList pending{node};
    QSet<QString> seen;
    while (!pending.isEmpty()) {
        const QString id = pending.takeLast();
        if (seen.contains(id)) continue;
        seen.insert(id);
        if (auto* item = nodes_.value(id)) {
            item->set_status(-1, {});
            item->set_results({});
        }
        for (const auto& link : document_->graph().links())
            if (link.from.node == id) pending << link.to.node;
    }
}

void NodeScene::set_node_results(const QString& node, const QString& results) {
    if (auto* item = nodes_.value(node)) {
        item->set_results(results);
        reroute_links(node);
    }
}

void NodeScene::clear_statuses() {
    for (NodeItem* item : std::as_const(nodes_)) {
        item->set_status(-1, {});
        item->set_results({});
    }
}

QStringList NodeScene::selected_node_ids() const {
    // In graph order, so that "the first selected node" is stable.
    QStringList ids;
    for (const auto& node : document_->graph().nodes())
        if (auto* item = nodes_.value(node.id); item && item->isSelected()) ids << node.id;
    return ids;
}

void NodeScene::select_nodes(const QStringList& ids) {
    selecting_ = true;
    clearSelection();
    for (const QString& id : ids)
        if (auto* item = nodes_.value(id)) item->setSelected(true);
    selecting_ = false;
    on_selection_changed();
}

void NodeScene::on_selection_changed() {
    if (selecting_) return;
    const QStringList ids = selected_node_ids();
    if (ids == last_selection_) return;
    last_selection_ = ids;
    Q_EMIT selected_nodes_changed(ids);
}

QGraphicsItem* NodeScene::node_item(const QString& id) const { return nodes_.value(id); }

QPointF NodeScene::port_scene_position(const PortRef& port, bool output) const {
    auto* node = nodes_.value(port.node);
    PortItem* item = node ? node->port(port.port, output) : nullptr;
    return item ? item->scene_center() : QPointF();
}

void NodeScene::delete_selection() {
    const QStringList ids = selected_node_ids();
    QVector<Link> links;
    for (QGraphicsItem* item : selectedItems())
        if (auto* link = qgraphicsitem_cast<LinkItem*>(item))
            if (!ids.contains(link->link().from.node) && !ids.contains(link->link().to.node)) links << link->link();
    if (ids.isEmpty() && links.isEmpty()) return;
    auto* stack = document_->undo_stack();
    const bool several = (ids.isEmpty() ? 0 : 1) + links.size() > 1;
    if (several) stack->beginMacro(tr("Delete selection"));
    if (!ids.isEmpty()) document_->remove_nodes(ids);
    for (const Link& link : links) document_->disconnect_link(link);
    if (several) stack->endMacro();
}

void NodeScene::copy_selection() {
    const QByteArray fragment = document_->copy(selected_node_ids());
    if (fragment.isEmpty()) return;
    clipboard_fallback_ = fragment;
    auto* mime = new QMimeData;
    mime->setData(kMimeType, fragment);
    mime->setText(QString::fromUtf8(fragment));
    QGuiApplication::clipboard()->setMimeData(mime);
}

void NodeScene::paste_clipboard(const QPointF& at) {
    QByteArray fragment;
    if (const QMimeData* mime = QGuiApplication::clipboard()->mimeData()) {
        if (mime->hasFormat(kMimeType)) fragment = mime->data(kMimeType);
        else if (mime->hasText() && mime->text().contains(irl::nodes::kGraphFormat)) fragment = mime->text().toUtf8();
    }
    if (fragment.isEmpty()) fragment = clipboard_fallback_;
    if (fragment.isEmpty()) return;
    // Put the fragment's top-left node at `at`.
    const auto loaded = irl::nodes::read_graph(fragment, document_->registry());
    QPointF top_left = at;
    if (loaded.graph && !loaded.graph->view().positions.isEmpty()) {
        const auto positions = loaded.graph->view().positions.values();
        top_left = positions.first();
        for (const QPointF& p : positions) top_left = QPointF(std::min(top_left.x(), p.x()), std::min(top_left.y(), p.y()));
    }
    QString error;
    const QStringList ids = document_->paste(fragment, at - top_left, &error);
    if (ids.isEmpty()) Q_EMIT message(tr("Cannot paste: %1").arg(error));
    else select_nodes(ids);
}

void NodeScene::duplicate_selection() {
    const QStringList ids = document_->duplicate(selected_node_ids());
    if (!ids.isEmpty()) select_nodes(ids);
}

QString NodeScene::add_node_at(const QString& type, const QPointF& scene_position, const std::optional<PortRef>& from,
                               bool from_output, QString* error) {
    const auto* info = document_->registry().find(type);
    if (!info) {
        if (error) *error = tr("unknown node type '%1'").arg(type);
        return {};
    }
    // After a link drop, put the port that takes the link under the drop point.
    QPointF position = scene_position;
    if (from) position -= QPointF(from_output ? 0.0 : editor_style::kNodeWidth,
                                  editor_style::kHeaderHeight + editor_style::kPortRowHeight / 2 + 4);

    auto* stack = document_->undo_stack();
    if (from) stack->beginMacro(tr("Add %1").arg(info->display_name));
    const QString id = document_->add_node(type, position, error);
    if (from && !id.isEmpty()) {
        const auto& candidates = from_output ? info->inputs : info->outputs;
        for (const auto& spec : candidates) {
            // connect_ports refuses incompatible ports and replaces the link of a linked input.
            const Link link = from_output ? Link{*from, {id, spec.name}} : Link{{id, spec.name}, *from};
            if (document_->connect_ports(link)) break;
        }
    }
    if (from) stack->endMacro();
    if (!id.isEmpty()) select_nodes({id});
    return id;
}

void NodeScene::mousePressEvent(QGraphicsSceneMouseEvent* event) {
    last_mouse_position_ = event->scenePos();
    if (event->button() == Qt::LeftButton) {
        if (PortItem* port = port_at(event->scenePos())) {
            begin_link_drag(port, event->scenePos());
            event->accept();
            return;
        }
    }
    QGraphicsScene::mousePressEvent(event);
    press_positions_.clear();
    if (event->button() == Qt::LeftButton)
        for (QGraphicsItem* item : selectedItems())
            if (auto* node = qgraphicsitem_cast<NodeItem*>(item)) press_positions_.insert(node->id(), node->pos());
}

void NodeScene::mouseMoveEvent(QGraphicsSceneMouseEvent* event) {
    last_mouse_position_ = event->scenePos();
    if (drag_) {
        update_link_drag(event->scenePos());
        event->accept();
        return;
    }
    QGraphicsScene::mouseMoveEvent(event);
}

void NodeScene::mouseReleaseEvent(QGraphicsSceneMouseEvent* event) {
    if (drag_ && event->button() == Qt::LeftButton) {
        finish_link_drag(event->scenePos());
        event->accept();
        return;
    }
    QGraphicsScene::mouseReleaseEvent(event);
    if (event->button() != Qt::LeftButton) return;
    // One undo step per drag, however many nodes moved.
    QHash<QString, QPointF> moved;
    for (auto it = press_positions_.begin(); it != press_positions_.end(); ++it)
        if (auto* node = nodes_.value(it.key()); node && node->pos() != it.value()) moved.insert(it.key(), node->pos());
    press_positions_.clear();
    if (!moved.isEmpty()) document_->move_nodes(moved);
}

void NodeScene::mouseDoubleClickEvent(QGraphicsSceneMouseEvent* event) {
    if (event->button() == Qt::LeftButton && items(event->scenePos()).isEmpty()) {
        Q_EMIT palette_requested(event->scenePos(), std::nullopt, QString(), false);
        event->accept();
        return;
    }
    QGraphicsScene::mouseDoubleClickEvent(event);
}

void NodeScene::keyPressEvent(QKeyEvent* event) {
    const bool control = event->modifiers() & Qt::ControlModifier;
    if (event->key() == Qt::Key_Delete || event->key() == Qt::Key_Backspace) {
        delete_selection();
    } else if (event->matches(QKeySequence::Copy)) {
        copy_selection();
    } else if (event->matches(QKeySequence::Paste)) {
        paste_clipboard(last_mouse_position_.value_or(itemsBoundingRect().center()));
    } else if (control && event->key() == Qt::Key_D) {
        duplicate_selection();
    } else if (event->matches(QKeySequence::SelectAll)) {
        select_nodes(nodes_.keys());
    } else if (event->key() == Qt::Key_Escape && drag_) {
        cancel_link_drag();
    } else {
        QGraphicsScene::keyPressEvent(event);
        return;
    }
    event->accept();
}

}  // namespace irl::studio
