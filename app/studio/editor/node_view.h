// The canvas widget: wheel zooms around the cursor, the middle button or Space+drag pans, a left
// drag on empty canvas selects with a rubber band. Draws a subtle two-level grid.
#pragma once

#include <QGraphicsView>

namespace irl::studio {

class NodeScene;

class NodeView : public QGraphicsView {
    Q_OBJECT
public:
    explicit NodeView(NodeScene* scene, QWidget* parent = nullptr);

    void fit_all();
    void zoom_by(double factor);
    double zoom() const;
    // Zoom to `zoom` (clamped) and centre on `center`, e.g. from a graph file's view.
    void set_zoom_and_center(double zoom, const QPointF& center);
    QPointF visible_center() const;

    static constexpr double kMinimumZoom = 0.1;
    static constexpr double kMaximumZoom = 4.0;

protected:
    void drawBackground(QPainter* painter, const QRectF& rect) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void keyPressEvent(QKeyEvent* event) override;
    void keyReleaseEvent(QKeyEvent* event) override;

private:
    void pan_by(const QPoint& delta);

    bool middle_panning_ = false;
    bool space_held_ = false;
    bool space_panning_ = false;
    QPoint last_pan_position_;
};

}  // namespace irl::studio
