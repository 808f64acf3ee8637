// Geometry is fixed by the type (one row per port), so the item never relayouts; moving it tells
// the scene to re-route the links that touch it.
#include "node_item.h"

#include "editor_style.h"
#include "node_scene.h"
#include "port_item.h"

#include "irl/nodes/executor.h"

#include <QPainter>
#include <QStyleOptionGraphicsItem>

namespace irl::studio {

using namespace editor_style;

NodeItem::NodeItem(const irl::nodes::Node& node, const irl::nodes::NodeTypeInfo* info, const irl::nodes::NodeRegistry* registry)
    : id_(node.id), unknown_(info == nullptr || node.unknown_type) {
    setFlags(ItemIsMovable | ItemIsSelectable | ItemSendsGeometryChanges);
    setZValue(1.0);
    if (info) {
        title_ = info->display_name;
        category_ = info->category;
        description_ = info->description;
        const double top = kHeaderHeight + kPortRowHeight / 2 + 4;
        for (qsizetype i = 0; i < info->inputs.size(); ++i) {
            auto* item = new PortItem({node.id, info->inputs[i].name}, info->inputs[i], false, registry, this);
            item->setPos(0, top + double(i) * kPortRowHeight);
            inputs_.insert(info->inputs[i].name, item);
            input_names_ << info->inputs[i].name;
        }
        for (qsizetype i = 0; i < info->outputs.size(); ++i) {
            auto* item = new PortItem({node.id, info->outputs[i].name}, info->outputs[i], true, registry, this);
            item->setPos(kNodeWidth, top + double(i) * kPortRowHeight);
            outputs_.insert(info->outputs[i].name, item);
            output_names_ << info->outputs[i].name;
        }
    } else {
        title_ = node.type.section('.', -1);
        description_ = QObject::tr("The type '%1' is not provided by any loaded node pack; the node is kept as it "
                                   "was read but cannot run.").arg(node.type);
    }
    update_tooltip();
}

double NodeItem::height() const {
    const auto rows = std::max<qsizetype>({input_names_.size(), output_names_.size(), 1}) + (results_.isEmpty() ? 0 : 1);
    return kHeaderHeight + double(rows) * kPortRowHeight + 10;
}

void NodeItem::set_results(const QString& results) {
    if (results == results_) return;
    prepareGeometryChange();
    results_ = results;
    update_tooltip();
    update();
}

QRectF NodeItem::boundingRect() const {
    // Room for the selection/status outline and the badge that sticks out of the corner.
    return QRectF(0, 0, kNodeWidth, height()).adjusted(-4, -6, 6, 4);
}

PortItem* NodeItem::port(const QString& name, bool output) const {
    return output ? outputs_.value(name) : inputs_.value(name);
}

QList<PortItem*> NodeItem::ports() const { return inputs_.values() + outputs_.values(); }

void NodeItem::set_status(int status, const QString& message) {
    status_ = status;
    status_message_ = message;
    update_tooltip();
    update();
}

void NodeItem::update_tooltip() {
    QString tip = "<b>" + title_.toHtmlEscaped() + "</b> <i>" + id_.toHtmlEscaped() + "</i>";
    if (!description_.isEmpty()) tip += "<br>" + description_.toHtmlEscaped();
    const QString state = status_name(status_);
    if (!state.isEmpty()) tip += "<br>" + QObject::tr("Status: %1").arg(state);
    if (status_ == int(irl::nodes::NodeStatus::Failed) && !status_message_.isEmpty())
        tip += "<br><span style='color:" + error_text().name() + "'>" + status_message_.toHtmlEscaped() + "</span>";
    if (!results_.isEmpty()) tip += "<br>" + results_.toHtmlEscaped();
    setToolTip(tip);
}

QVariant NodeItem::itemChange(GraphicsItemChange change, const QVariant& value) {
    if (change == ItemPositionHasChanged)
        if (auto* node_scene = qobject_cast<NodeScene*>(scene())) node_scene->reroute_links(id_);
    return QGraphicsItem::itemChange(change, value);
}

void NodeItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
    painter->setRenderHint(QPainter::Antialiasing);
    painter->setRenderHint(QPainter::TextAntialiasing);
    const QRectF box(0, 0, kNodeWidth, height());
    const QColor body = unknown_ ? unknown_body() : node_body();
    const QColor header = unknown_ ? unknown_header() : node_header();

    QPainterPath outline;
    outline.addRoundedRect(box, kCornerRadius, kCornerRadius);
    painter->fillPath(outline, body);

    // Header band, clipped to the rounded outline, with the category strip on top.
    painter->save();
    painter->setClipPath(outline);
    painter->fillRect(QRectF(0, 0, kNodeWidth, kHeaderHeight), header);
    painter->fillRect(QRectF(0, 0, kNodeWidth, 4), unknown_ ? unknown_stripe() : category_color(category_));
    painter->restore();

    QFont title_font = painter->font();
    title_font.setPointSizeF(9.5);
    title_font.setBold(true);
    QFont small_font = painter->font();
    small_font.setPointSizeF(7.5);
    const QRectF title_rect(10, 5, kNodeWidth - 20, kHeaderHeight - 5);
    painter->setFont(small_font);
    painter->setPen(dim_text());
    const QString id_text = painter->fontMetrics().elidedText(id_, Qt::ElideMiddle, int(kNodeWidth * 0.4));
    painter->drawText(title_rect, Qt::AlignVCenter | Qt::AlignRight, id_text);
    const double id_width = painter->fontMetrics().horizontalAdvance(id_text) + 8;
    painter->setFont(title_font);
    painter->setPen(unknown_ ? dim_text() : text());
    painter->drawText(title_rect.adjusted(0, 0, -id_width, 0), Qt::AlignVCenter | Qt::AlignLeft,
                      painter->fontMetrics().elidedText(title_, Qt::ElideRight, int(title_rect.width() - id_width)));

    QFont port_font = painter->font();
    port_font.setPointSizeF(8.0);
    port_font.setBold(false);
    painter->setFont(port_font);
    painter->setPen(unknown_ ? dim_text() : port_text());
    const double top = kHeaderHeight + 4;
    const double half = kNodeWidth / 2 - 14;
    for (qsizetype i = 0; i < input_names_.size(); ++i)
        painter->drawText(QRectF(12, top + double(i) * kPortRowHeight, half, kPortRowHeight), Qt::AlignVCenter | Qt::AlignLeft,
                          input_names_[i]);
    for (qsizetype i = 0; i < output_names_.size(); ++i)
        painter->drawText(QRectF(kNodeWidth - 12 - half, top + double(i) * kPortRowHeight, half, kPortRowHeight),
                          Qt::AlignVCenter | Qt::AlignRight, output_names_[i]);
    if (unknown_) {
        painter->setPen(dim_text());
        painter->drawText(QRectF(12, top, kNodeWidth - 24, kPortRowHeight), Qt::AlignVCenter | Qt::AlignLeft,
                          QObject::tr("unknown type"));
    }
    if (!results_.isEmpty()) {
        painter->setPen(result_text());
        const QRectF line(10, height() - kPortRowHeight - 6, kNodeWidth - 20, kPortRowHeight);
        painter->drawText(line, Qt::AlignVCenter | Qt::AlignLeft, painter->fontMetrics().elidedText(results_, Qt::ElideRight, int(line.width())));
    }

    // Outline: selection wins over status so that the user always sees what is selected.
    const QColor state = status_color(status_);
    QPen pen(node_border(), 1.0);
    if (isSelected()) pen = QPen(selection(), 2.0);
    else if (state.isValid()) pen = QPen(state, 2.0);
    if (unknown_) pen.setStyle(Qt::DashLine);
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    painter->drawRoundedRect(box, kCornerRadius, kCornerRadius);

    if (state.isValid()) {
        painter->setPen(QPen(node_border(), 1.5));
        painter->setBrush(state);
        painter->drawEllipse(QPointF(kNodeWidth - 2, 0), 5.5, 5.5);
    }
}

}  // namespace irl::studio
