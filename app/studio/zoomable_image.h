// A picture shown at an integer zoom (pixels sharp) inside a scroll area: wheel and scroll bars
// scroll, a left-button drag pans, and a click reports the picture pixel under the mouse.
#pragma once

#include <QImage>
#include <QScrollArea>

class QLabel;

namespace irl::studio {

class ZoomableImage : public QScrollArea {
    Q_OBJECT
public:
    explicit ZoomableImage(QWidget* parent = nullptr);
    void set_image(const QImage& image, int zoom);
    void clear_image();
    QImage image() const { return image_; }
    int zoom() const { return zoom_; }

Q_SIGNALS:
    // A click (not a drag) on the picture, in the picture's own pixels.
    void clicked(const QPoint& pixel);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QLabel* label_;
    QImage image_;
    int zoom_ = 1;
    QPoint press_;
    QPoint scroll_at_press_;
    bool dragged_ = false;
};

}  // namespace irl::studio
