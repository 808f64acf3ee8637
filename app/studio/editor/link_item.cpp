// The curve leaves the output horizontally to the right and enters the input from the left, with
// control points pulled out by half the horizontal distance (at least 50), so backward links
// still read as loops rather than straight lines through nodes.
#include "link_item.h"

#include "editor_style.h"

#include <QPainter>
#include <QPainterPathStroker>
#include <QStyleOptionGraphicsItem>

#include <cmath>

namespace irl::studio {

LinkItem::LinkItem(const irl::nodes::Link& link, const QColor& color) : link_(link), color_(color) {
    setFlag(ItemIsSelectable);
    setZValue(0.0);
    setToolTip(QStringLiteral("%1.%2 → %3.%4").arg(link.from.node, link.from.port, link.to.node, link.to.port));
}

LinkItem::LinkItem(const QColor& color) : color_(color), temporary_(true) { setZValue(3.0); }

void LinkItem::set_ends(const QPointF& from, const QPointF& to) {
    const double pull = std::max(50.0, std::abs(to.x() - from.x()) / 2);
    QPainterPath path(from);
    path.cubicTo(from + QPointF(pull, 0), to - QPointF(pull, 0), to);
    prepareGeometryChange();
    setPath(path);
}

QRectF LinkItem::boundingRect() const { return path().boundingRect().adjusted(-6, -6, 6, 6); }

QPainterPath LinkItem::shape() const {
    // A thin curve is hard to click: select it within a few pixels.
    QPainterPathStroker stroker;
    stroker.setWidth(10.0);
    return stroker.createStroke(path());
}

void LinkItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
    painter->setRenderHint(QPainter::Antialiasing);
    QPen pen(color_, isSelected() ? 3.5 : 2.2, temporary_ ? Qt::DashLine : Qt::SolidLine, Qt::RoundCap);
    if (isSelected()) {
        painter->setPen(QPen(editor_style::selection(), 6.0, Qt::SolidLine, Qt::RoundCap));
        painter->drawPath(path());
    }
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    painter->drawPath(path());
}

}  // namespace irl::studio
