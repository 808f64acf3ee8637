#include "zoomable_image.h"
#include "theme.h"

#include <QLabel>
#include <QMouseEvent>
#include <QScrollBar>

#include <algorithm>
#include <cmath>

namespace irl::studio {

ZoomableImage::ZoomableImage(QWidget* parent) : QScrollArea(parent) {
    label_ = new QLabel;
    label_->setAlignment(Qt::AlignCenter);
    label_->setCursor(Qt::OpenHandCursor);
    label_->installEventFilter(this);
    setWidget(label_);
    // The label keeps the zoomed picture's size: a picture larger than the view scrolls instead of
    // being cropped (widgetResizable would squeeze it to the view).
    setWidgetResizable(false);
    setAlignment(Qt::AlignCenter);
    setMinimumSize(120, 120);
    setStyleSheet(picture_box_style(QStringLiteral("QScrollArea")));
}

void ZoomableImage::set_image(const QImage& image, int zoom) {
    const bool same_size = !image_.isNull() && image.size() == image_.size() && zoom == zoom_;
    image_ = image;
    zoom_ = std::max(0, zoom);
    if (image.isNull()) return clear_image();
    show_scaled(!same_size);
}

void ZoomableImage::show_scaled(bool resize_label) {
    if (zoom_ > 0) {
        scale_ = zoom_;
    } else {
        // The largest scale at which the whole picture fits the view, scroll bars left out.
        const QSize room = maximumViewportSize() - QSize(2, 2);
        scale_ = std::max(0.05, std::min(double(room.width()) / image_.width(), double(room.height()) / image_.height()));
    }
    const QSize shown(std::max(1, int(image_.width() * scale_)), std::max(1, int(image_.height() * scale_)));
    // Enlarged pixels stay sharp; a picture shrunk to fit is averaged.
    label_->setPixmap(QPixmap::fromImage(image_.scaled(shown, Qt::KeepAspectRatio, scale_ >= 1.0 ? Qt::FastTransformation : Qt::SmoothTransformation)));
    if (resize_label || zoom_ == 0) label_->adjustSize();
}

void ZoomableImage::resizeEvent(QResizeEvent* event) {
    QScrollArea::resizeEvent(event);
    if (zoom_ == 0 && !image_.isNull()) show_scaled(true);
}

void ZoomableImage::clear_image() {
    image_ = QImage();
    label_->clear();
    label_->resize(0, 0);
}

bool ZoomableImage::eventFilter(QObject* watched, QEvent* event) {
    const QEvent::Type type = event->type();
    // Only mouse events are QMouseEvents: casting any other (found by UBSan) is undefined.
    if (watched != label_ || (type != QEvent::MouseButtonPress && type != QEvent::MouseMove && type != QEvent::MouseButtonRelease))
        return QScrollArea::eventFilter(watched, event);
    auto* mouse = static_cast<QMouseEvent*>(event);
    switch (type) {
    case QEvent::MouseButtonPress:
        if (mouse->button() != Qt::LeftButton) break;
        press_ = mouse->globalPosition().toPoint();
        scroll_at_press_ = {horizontalScrollBar()->value(), verticalScrollBar()->value()};
        dragged_ = false;
        label_->setCursor(Qt::ClosedHandCursor);
        return true;
    case QEvent::MouseMove:
        if (!(mouse->buttons() & Qt::LeftButton)) break;
        {
            const QPoint delta = mouse->globalPosition().toPoint() - press_;
            if (delta.manhattanLength() > 3) dragged_ = true;
            horizontalScrollBar()->setValue(scroll_at_press_.x() - delta.x());
            verticalScrollBar()->setValue(scroll_at_press_.y() - delta.y());
        }
        return true;
    case QEvent::MouseButtonRelease:
        if (mouse->button() != Qt::LeftButton) break;
        label_->setCursor(Qt::OpenHandCursor);
        if (!dragged_ && !image_.isNull()) {
            // The pixmap is centred in the label: undo that offset and the zoom.
            const QSize shown = label_->pixmap().size();
            const QPoint offset((label_->width() - shown.width()) / 2, (label_->height() - shown.height()) / 2);
            const QPointF at = mouse->position() - QPointF(offset);
            const QPoint pixel(int(std::floor(at.x() / scale_)), int(std::floor(at.y() / scale_)));
            if (QRect(QPoint(0, 0), image_.size()).contains(pixel)) Q_EMIT clicked(pixel);
        }
        return true;
    default: break;
    }
    return QScrollArea::eventFilter(watched, event);
}

}  // namespace irl::studio
