// One port of a node on the canvas: a small coloured disc (hollow for an optional input) that
// knows its node, name, direction and type, and can be highlighted or dimmed during a link drag.
#pragma once

#include "irl/nodes/graph.h"

#include <QColor>

#include <QGraphicsItem>

namespace irl::studio {

class PortItem : public QGraphicsItem {
public:
    enum { Type = UserType + 0x101 };
    enum class Highlight { None, Compatible, Incompatible };

    // `registry` gives the port type's colour and label.
    PortItem(const irl::nodes::PortRef& port, const irl::nodes::PortSpec& spec, bool output, const irl::nodes::NodeRegistry* registry,
             QGraphicsItem* parent);

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

    const irl::nodes::PortRef& port() const { return port_; }
    const irl::nodes::PortSpec& spec() const { return spec_; }
    bool is_output() const { return output_; }
    QColor colour() const { return colour_; }
    QPointF scene_center() const { return mapToScene(QPointF(0, 0)); }
    void set_highlight(Highlight highlight);

private:
    irl::nodes::PortRef port_;
    irl::nodes::PortSpec spec_;
    bool output_;
    QColor colour_;
    Highlight highlight_ = Highlight::None;
};

}  // namespace irl::studio
