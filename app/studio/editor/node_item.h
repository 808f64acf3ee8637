// A node on the canvas: a rounded box with a category-coloured strip, its display name and id,
// input ports on the left and outputs on the right, and an optional run-status badge and outline.
#pragma once

#include "irl/nodes/graph.h"

#include <QGraphicsItem>
#include <QHash>

namespace irl::studio {

class PortItem;

class NodeItem : public QGraphicsItem {
public:
    enum { Type = UserType + 0x100 };

    // `info` is null for a node whose type no loaded pack provides; it is drawn greyed.
    NodeItem(const irl::nodes::Node& node, const irl::nodes::NodeTypeInfo* info, const irl::nodes::NodeRegistry* registry);

    int type() const override { return Type; }
    QRectF boundingRect() const override;
    void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

    const QString& id() const { return id_; }
    PortItem* port(const QString& name, bool output) const;
    QList<PortItem*> ports() const;

    // `status` is int(irl::nodes::NodeStatus), or -1 for none.
    void set_status(int status, const QString& message);
    int status() const { return status_; }
    // A line of results under the ports (an Evaluate node's FD, precision, ...); empty: none.
    void set_results(const QString& results);
    QString results() const { return results_; }

protected:
    QVariant itemChange(GraphicsItemChange change, const QVariant& value) override;

private:
    double height() const;
    void update_tooltip();

    QString id_;
    QString title_;
    QString category_;
    QString description_;
    bool unknown_ = false;
    QStringList input_names_;
    QStringList output_names_;
    QHash<QString, PortItem*> inputs_;
    QHash<QString, PortItem*> outputs_;
    int status_ = -1;
    QString status_message_;
    QString results_;
};

}  // namespace irl::studio
