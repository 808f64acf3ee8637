// Panning moves the scroll bars of a very large scene rectangle (hidden bars), so the canvas
// feels unbounded; zoom is the view transform's uniform scale, kept within sane limits.
#include "node_view.h"

#include "editor_style.h"
#include "node_scene.h"

#include <QGraphicsItem>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QWheelEvent>

#include <cmath>

namespace irl::studio {

namespace {
constexpr double kCanvasHalfSize = 50000.0;
constexpr double kMinorGrid = 20.0;
constexpr double kMajorGrid = 100.0;
constexpr double kFitMargin = 60.0;
}  // namespace

NodeView::NodeView(NodeScene* scene, QWidget* parent) : QGraphicsView(scene, parent) {
    setRenderHints(QPainter::Antialiasing | QPainter::TextAntialiasing | QPainter::SmoothPixmapTransform);
    setViewportUpdateMode(QGraphicsView::FullViewportUpdate);  // the grid and long links repaint cleanly
    setDragMode(QGraphicsView::RubberBandDrag);
    setRubberBandSelectionMode(Qt::IntersectsItemShape);
    setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
    setResizeAnchor(QGraphicsView::AnchorViewCenter);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setSceneRect(-kCanvasHalfSize, -kCanvasHalfSize, 2 * kCanvasHalfSize, 2 * kCanvasHalfSize);
    setFocusPolicy(Qt::StrongFocus);
    setFrameShape(QFrame::NoFrame);
    centerOn(0, 0);
}

double NodeView::zoom() const { return transform().m11(); }

void NodeView::zoom_by(double factor) {
    const double target = std::clamp(zoom() * factor, kMinimumZoom, kMaximumZoom);
    if (target == zoom()) return;
    const double applied = target / zoom();
    scale(applied, applied);
}

void NodeView::set_zoom_and_center(double zoom_level, const QPointF& center) {
    const double z = std::clamp(zoom_level, kMinimumZoom, kMaximumZoom);
    setTransform(QTransform::fromScale(z, z));
    centerOn(center);
}

QPointF NodeView::visible_center() const { return mapToScene(viewport()->rect().center()); }

void NodeView::fit_all() {
    QRectF bounds;
    for (QGraphicsItem* item : scene()->items())
        if (!item->parentItem()) bounds |= item->sceneBoundingRect();
    if (bounds.isNull()) {
        set_zoom_and_center(1.0, QPointF(0, 0));
        return;
    }
    bounds.adjust(-kFitMargin, -kFitMargin, kFitMargin, kFitMargin);
    fitInView(bounds, Qt::KeepAspectRatio);
    // A small graph should not be blown up past a comfortable size.
    if (zoom() > 1.5) set_zoom_and_center(1.5, bounds.center());
    else if (zoom() < kMinimumZoom) set_zoom_and_center(kMinimumZoom, bounds.center());
}

void NodeView::drawBackground(QPainter* painter, const QRectF& rect) {
    painter->fillRect(rect, editor_style::background());
    // Skip the minor grid when zoomed far out, where it would turn into noise.
    const bool minor = zoom() > 0.45;
    const auto draw_grid = [&](double step, const QColor& color) {
        painter->setPen(QPen(color, 0));
        const double left = std::floor(rect.left() / step) * step;
        const double top = std::floor(rect.top() / step) * step;
        QVector<QLineF> lines;
        for (double x = left; x < rect.right(); x += step) lines << QLineF(x, rect.top(), x, rect.bottom());
        for (double y = top; y < rect.bottom(); y += step) lines << QLineF(rect.left(), y, rect.right(), y);
        painter->drawLines(lines);
    };
    if (minor) draw_grid(kMinorGrid, editor_style::grid_minor());
    draw_grid(kMajorGrid, editor_style::grid_major());
}

void NodeView::wheelEvent(QWheelEvent* event) {
    const double steps = event->angleDelta().y() / 120.0;
    if (steps == 0.0) {
        QGraphicsView::wheelEvent(event);
        return;
    }
    zoom_by(std::pow(1.15, steps));
    event->accept();
}

void NodeView::pan_by(const QPoint& delta) {
    horizontalScrollBar()->setValue(horizontalScrollBar()->value() - delta.x());
    verticalScrollBar()->setValue(verticalScrollBar()->value() - delta.y());
}

void NodeView::mousePressEvent(QMouseEvent* event) {
    const bool space_drag = space_held_ && event->button() == Qt::LeftButton;
    if (event->button() == Qt::MiddleButton || space_drag) {
        middle_panning_ = event->button() == Qt::MiddleButton;
        space_panning_ = space_drag;
        last_pan_position_ = event->position().toPoint();
        viewport()->setCursor(Qt::ClosedHandCursor);
        event->accept();
        return;
    }
    QGraphicsView::mousePressEvent(event);
}

void NodeView::mouseMoveEvent(QMouseEvent* event) {
    if (middle_panning_ || space_panning_) {
        const QPoint now = event->position().toPoint();
        pan_by(now - last_pan_position_);
        last_pan_position_ = now;
        event->accept();
        return;
    }
    QGraphicsView::mouseMoveEvent(event);
}

void NodeView::mouseReleaseEvent(QMouseEvent* event) {
    if ((middle_panning_ && event->button() == Qt::MiddleButton) || (space_panning_ && event->button() == Qt::LeftButton)) {
        middle_panning_ = space_panning_ = false;
        viewport()->setCursor(space_held_ ? Qt::OpenHandCursor : Qt::ArrowCursor);
        event->accept();
        return;
    }
    QGraphicsView::mouseReleaseEvent(event);
}

void NodeView::keyPressEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_Space) {
        if (!event->isAutoRepeat()) {
            space_held_ = true;
            viewport()->setCursor(Qt::OpenHandCursor);
        }
        event->accept();
        return;
    }
    QGraphicsView::keyPressEvent(event);
}

void NodeView::keyReleaseEvent(QKeyEvent* event) {
    if (event->key() == Qt::Key_Space) {
        if (!event->isAutoRepeat()) {
            space_held_ = false;
            if (!space_panning_) viewport()->setCursor(Qt::ArrowCursor);
        }
        event->accept();
        return;
    }
    QGraphicsView::keyReleaseEvent(event);
}

}  // namespace irl::studio
