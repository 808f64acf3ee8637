// Dragging a link. Which ports would accept it is decided once, at the press, by asking Graph
// (why_not) on a trial copy: the picked-up link removed, and a linked input counted as free
// because a drop replaces its link. Nothing changes in the document until the release.
#include "editor_style.h"
#include "link_item.h"
#include "node_item.h"
#include "node_scene.h"
#include "port_item.h"

#include <QUndoStack>

namespace irl::studio {

using irl::nodes::Graph;
using irl::nodes::Link;

namespace {

QString refusal(const Graph& trial, const Link& link) {
    if (auto existing = trial.link_into(link.to); existing && !(*existing == link)) {
        Graph replaced = trial;
        replaced.disconnect(*existing);
        return replaced.why_not(link);
    }
    return trial.why_not(link);
}

}  // namespace

PortItem* NodeScene::port_at(const QPointF& scene_position) const {
    for (QGraphicsItem* item : items(scene_position))
        if (auto* port = qgraphicsitem_cast<PortItem*>(item)) return port;
    return nullptr;
}

void NodeScene::begin_link_drag(PortItem* port, const QPointF& scene_position) {
    cancel_link_drag();
    Graph trial = document_->graph();
    LinkDrag drag;
    drag.anchor = port->port();
    drag.from_output = port->is_output();
    drag.type = port->spec().type;
    drag.colour = port->colour();
    if (!port->is_output()) {
        if (auto existing = trial.link_into(port->port())) {
            // Pick the link up by its input end: the drag continues from its output.
            drag.picked = *existing;
            trial.disconnect(*existing);
            drag.anchor = existing->from;
            drag.from_output = true;
            if (auto* from = nodes_.value(existing->from.node))
                if (PortItem* out = from->port(existing->from.port, true)) {
                    drag.type = out->spec().type;
                    drag.colour = out->colour();
                }
            if (LinkItem* item = link_item(*existing)) item->hide();
        }
    }
    for (NodeItem* node : std::as_const(nodes_)) {
        for (PortItem* candidate : node->ports()) {
            if (candidate->port() == drag.anchor && candidate->is_output() == drag.from_output) continue;
            QString why;
            if (candidate->is_output() == drag.from_output)
                why = drag.from_output ? tr("an output can only feed an input") : tr("an input can only take an output");
            else
                why = refusal(trial, drag.from_output ? Link{drag.anchor, candidate->port()} : Link{candidate->port(), drag.anchor});
            drag.refusals.insert(candidate, why);
            candidate->set_highlight(why.isEmpty() ? PortItem::Highlight::Compatible : PortItem::Highlight::Incompatible);
        }
    }
    drag.curve = new LinkItem(drag.colour);
    addItem(drag.curve);
    drag_ = std::move(drag);
    update_link_drag(scene_position);
}

void NodeScene::update_link_drag(const QPointF& scene_position) {
    if (!drag_) return;
    const QPointF anchor = port_scene_position(drag_->anchor, drag_->from_output);
    // Snap the loose end onto a port that would accept the link.
    QPointF loose = scene_position;
    if (PortItem* port = port_at(scene_position); port && drag_->refusals.value(port, QStringLiteral("-")).isEmpty())
        loose = port->scene_center();
    if (drag_->from_output) drag_->curve->set_ends(anchor, loose);
    else drag_->curve->set_ends(loose, anchor);
}

void NodeScene::cancel_link_drag() {
    if (!drag_) return;
    LinkDrag drag = std::move(*drag_);
    drag_.reset();
    for (NodeItem* node : std::as_const(nodes_))
        for (PortItem* port : node->ports()) port->set_highlight(PortItem::Highlight::None);
    delete drag.curve;
    if (drag.picked)
        if (LinkItem* item = link_item(*drag.picked)) item->show();
}

void NodeScene::finish_link_drag(const QPointF& scene_position) {
    if (!drag_) return;
    PortItem* target = port_at(scene_position);
    const bool known_target = target && drag_->refusals.contains(target);
    const QString why = known_target ? drag_->refusals.value(target) : QString();
    const LinkDrag drag{drag_->anchor, drag_->from_output, drag_->type, drag_->colour, drag_->picked, nullptr, {}};
    const bool on_node = !target && [&] {
        for (QGraphicsItem* item : items(scene_position))
            if (qgraphicsitem_cast<NodeItem*>(item)) return true;
        return false;
    }();
    cancel_link_drag();  // the document edits below must not find a drag in progress

    if (known_target) {
        if (!why.isEmpty()) {
            Q_EMIT message(tr("Cannot connect: %1").arg(why));
            return;
        }
        const Link link = drag.from_output ? Link{drag.anchor, target->port()} : Link{target->port(), drag.anchor};
        if (drag.picked && *drag.picked == link) return;  // put back where it was
        auto* stack = document_->undo_stack();
        if (drag.picked) stack->beginMacro(tr("Move link"));
        if (drag.picked) document_->disconnect_link(*drag.picked);
        QString error;
        if (!document_->connect_ports(link, &error)) Q_EMIT message(tr("Cannot connect: %1").arg(error));
        if (drag.picked) stack->endMacro();
        return;
    }
    if (target) return;  // released on the port it started from
    if (drag.picked) document_->disconnect_link(*drag.picked);
    if (on_node) {
        if (!drag.picked) Q_EMIT message(tr("Drop the link on a port, or on empty canvas to add a node"));
        return;
    }
    Q_EMIT palette_requested(scene_position, drag.anchor, drag.type, drag.from_output);
}

}  // namespace irl::studio
