// A link on the canvas: a cubic Bézier from an output port to an input port, coloured by the
// output's type. The same item draws the temporary curve that follows the mouse during a drag.
#pragma once

#include "irl/nodes/graph.h"

#include <QGraphicsPathItem>

namespace irl::studio {

class LinkItem : public QGraphicsPathItem {
public:
    enum { Type = UserType + 0x102 };

    LinkItem(const irl::nodes::Link& link, const QColor& color);
    // A link being dragged: no graph link yet, drawn dashed above the nodes.
    explicit LinkItem(const QColor& color);

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    QPainterPath shape() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

    const irl::nodes::Link& link() const { return link_; }
    void set_ends(const QPointF& from, const QPointF& to);

private:
    irl::nodes::Link link_;
    QColor color_;
    bool temporary_ = false;
};

}  // namespace irl::studio
