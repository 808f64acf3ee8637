// A picture shown at an integer zoom (pixels sharp) or fitted to the view, inside a scroll area:
// wheel and scroll bars scroll, a left-button drag pans, and a click reports the picture pixel
// under the mouse.
#pragma once

#include <QImage>
#include <QScrollArea>

class QLabel;

namespace irl::studio {

class ZoomableImage : public QScrollArea {
    Q_OBJECT
public:
    explicit ZoomableImage(QWidget* parent = nullptr);
    // zoom: 1, 2, ... pixels per picture pixel; 0 fits the whole picture in the view (and keeps
    // it fitted as the view is resized).
    void set_image(const QImage& image, int zoom);
    void clear_image();
    QImage image() const { return image_; }
    int zoom() const { return zoom_; }
    double scale() const { return scale_; }  // view pixels per picture pixel, as shown

Q_SIGNALS:
    // A click (not a drag) on the picture, in the picture's own pixels.
    void clicked(const QPoint& pixel);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;

private:
    void show_scaled(bool resize_label);

    QLabel* label_;
    QImage image_;
    int zoom_ = 1;
    double scale_ = 1.0;
    QPoint press_;
    QPoint scroll_at_press_;
    bool dragged_ = false;
};

}  // namespace irl::studio
