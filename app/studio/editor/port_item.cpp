// Ports are drawn around their own origin (the link anchor). The clickable area is larger than
// the disc so that links are easy to start and drop at any zoom.
#include "port_item.h"

#include "editor_style.h"

#include <QPainter>

namespace irl::studio {

namespace {
constexpr double kHitRadius = 10.0;
}

PortItem::PortItem(const irl::nodes::PortRef& port, const irl::nodes::PortSpec& spec, bool output, const irl::nodes::NodeRegistry* registry,
                   QGraphicsItem* parent)
    : QGraphicsItem(parent), port_(port), spec_(spec), output_(output), colour_(editor_style::port_color(registry, spec.type)) {
    QString tip = QStringLiteral("<b>%1</b> — %2 %3").arg(spec.name, editor_style::port_type_label(registry, spec.type).toHtmlEscaped(),
                                                          output ? QObject::tr("output") : QObject::tr("input"));
    if (spec.optional) tip += QObject::tr(" (optional)");
    if (!spec.tooltip.isEmpty()) tip += "<br>" + spec.tooltip.toHtmlEscaped();
    setToolTip(tip);
    setAcceptHoverEvents(true);
}

QRectF PortItem::boundingRect() const { return QRectF(-kHitRadius, -kHitRadius, 2 * kHitRadius, 2 * kHitRadius); }

QPainterPath PortItem::shape() const {
    QPainterPath path;
    path.addEllipse(QPointF(0, 0), kHitRadius, kHitRadius);
    return path;
}

void PortItem::set_highlight(Highlight highlight) {
    if (highlight == highlight_) return;
    highlight_ = highlight;
    setOpacity(highlight == Highlight::Incompatible ? 0.25 : 1.0);
    update();
}

void PortItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
    const QColor color = colour_;
    double radius = editor_style::kPortRadius;
    painter->setRenderHint(QPainter::Antialiasing);
    if (highlight_ == Highlight::Compatible) {
        radius += 1.5;
        painter->setPen(QPen(color.lighter(140), 2.0));
        painter->setBrush(Qt::NoBrush);
        painter->drawEllipse(QPointF(0, 0), radius + 3.0, radius + 3.0);
    }
    const bool hollow = spec_.optional && !output_;
    painter->setPen(QPen(hollow ? color : color.darker(180), hollow ? 2.0 : 1.0));
    painter->setBrush(hollow ? QBrush(editor_style::node_body()) : QBrush(color));
    painter->drawEllipse(QPointF(0, 0), radius - (hollow ? 1.0 : 0.0), radius - (hollow ? 1.0 : 0.0));
}

}  // namespace irl::studio
