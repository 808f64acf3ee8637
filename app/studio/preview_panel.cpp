#include "preview_panel.h"
#include "theme.h"

#include "zoomable_image.h"

#include "irl/nodes/previews.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QPainter>
#include <QScrollBar>
#include <QSlider>
#include <QToolButton>
#include <QVBoxLayout>

namespace irl::studio {
namespace {

constexpr int kGutter = 2;  // the engine's image grids put 2 pixels between samples
constexpr int kThumbnail = 36;

QImage decode(const QByteArray& png) {
    QImage image;
    if (!png.isEmpty()) image.loadFromData(png, "PNG");
    return image;
}

// The grid cell of sample `index` in a picture of `columns` columns of `shown` samples.
QRect cell_of(const QImage& picture, int shown, int columns, int index) {
    if (shown < 1 || columns < 1) return {};
    const int rows = (shown + columns - 1) / columns;
    const int w = (picture.width() - kGutter) / columns - kGutter, h = (picture.height() - kGutter) / rows - kGutter;
    return QRect(kGutter + (index % columns) * (w + kGutter), kGutter + (index / columns) * (h + kGutter), w, h);
}

}  // namespace

PreviewPanel::PreviewPanel(QWidget* parent) : QWidget(parent) {
    setObjectName("preview-panel");
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    title_ = new QLabel(tr("Run the graph (Ctrl+Return) to watch every denoising step here."));
    title_->setWordWrap(true);
    layout->addWidget(title_);

    auto* pictures = new QHBoxLayout;
    auto column = [&](QLabel*& caption, ZoomableImage*& view, const QString& text, const QString& name) {
        auto* box = new QVBoxLayout;
        caption = new QLabel(text);
        view = new ZoomableImage;
        view->setObjectName(name);
        box->addWidget(caption);
        box->addWidget(view, 1);
        pictures->addLayout(box, 3);
    };
    column(x_caption_, x_view_, tr("x_t — the current state"), "preview-x");
    column(denoised_caption_, denoised_view_, tr("D(x_t) — the predicted clean image"), "preview-denoised");
    // The two pictures scroll together, so the same samples stay side by side.
    for (auto [from, to] : {std::pair{x_view_, denoised_view_}, std::pair{denoised_view_, x_view_}}) {
        connect(from->horizontalScrollBar(), &QScrollBar::valueChanged, to->horizontalScrollBar(), &QScrollBar::setValue);
        connect(from->verticalScrollBar(), &QScrollBar::valueChanged, to->verticalScrollBar(), &QScrollBar::setValue);
        connect(from, &ZoomableImage::clicked, this, [this](const QPoint& pixel) { inspect_sample(pixel); });
    }
    auto* detail = new QVBoxLayout;
    detail_picture_ = new QLabel;
    detail_picture_->setObjectName("preview-sample");
    detail_picture_->setAlignment(Qt::AlignCenter);
    detail_picture_->setMinimumSize(140, 140);
    detail_picture_->setStyleSheet(picture_box_style());
    detail_picture_->setText(tr("Click a sample\nto see it large"));
    detail_text_ = new QLabel;
    detail_text_->setObjectName("preview-sample-text");
    detail_text_->setWordWrap(true);
    detail->addWidget(detail_picture_, 1);
    detail->addWidget(detail_text_);
    pictures->addLayout(detail, 1);
    layout->addLayout(pictures, 1);

    strip_ = new QListWidget;
    strip_->setObjectName("filmstrip");
    strip_->setViewMode(QListView::IconMode);
    strip_->setFlow(QListView::LeftToRight);
    strip_->setWrapping(false);
    strip_->setMovement(QListView::Static);
    strip_->setIconSize(QSize(kThumbnail, 2 * kThumbnail));
    strip_->setFixedHeight(2 * kThumbnail + 34);
    strip_->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    strip_->setToolTip(tr("Every step: x_t above, D(x_t) below. Click one to show it."));
    layout->addWidget(strip_);

    auto* controls = new QHBoxLayout;
    slider_ = new QSlider(Qt::Horizontal);
    slider_->setObjectName("step-slider");
    slider_->setEnabled(false);
    slider_->setToolTip(tr("Scrub through the denoising steps"));
    step_label_ = new QLabel(tr("no steps"));
    step_label_->setMinimumWidth(150);
    zoom_ = new QComboBox;
    zoom_->setObjectName("preview-zoom");
    zoom_->addItem(tr("Fit"), 0);
    for (int z : {1, 2, 3, 4, 6, 8}) zoom_->addItem(QStringLiteral("%1×").arg(z), z);
    zoom_->setCurrentIndex(0);
    zoom_->setToolTip(tr("Fit: every sample in view. 1× to 8×: pixels stay sharp; larger pictures scroll, or drag to pan"));
    save_ = new QToolButton;
    save_->setText(tr("Save…"));
    save_->setObjectName("preview-save");
    save_->setPopupMode(QToolButton::InstantPopup);
    save_->setEnabled(false);
    save_->setToolTip(tr("Save the shown step's pictures as PNG, at the zoom shown"));
    auto* menu = new QMenu(save_);
    menu->addAction(tr("Save D(x_t), the predicted clean images…"), this, [this] { save_dialog(false); });
    menu->addAction(tr("Save x_t, the current state…"), this, [this] { save_dialog(true); });
    save_->setMenu(menu);
    controls->addWidget(new QLabel(tr("Step")));
    controls->addWidget(slider_, 1);
    controls->addWidget(step_label_);
    controls->addWidget(zoom_);
    controls->addWidget(save_);
    layout->addLayout(controls);

    connect(slider_, &QSlider::valueChanged, this, [this](int value) {
        follow_ = value == slider_->maximum();
        refresh();
        Q_EMIT frame_shown(value);
    });
    connect(strip_, &QListWidget::currentRowChanged, this, [this](int row) {
        if (row >= 0 && row != slider_->value()) slider_->setValue(row);
    });
    connect(zoom_, &QComboBox::currentIndexChanged, this, [this] { refresh(); });
}

void PreviewPanel::add_thumbnail(const Frame& frame) {
    QImage thumbnail(kThumbnail, 2 * kThumbnail, QImage::Format_RGB32);
    thumbnail.fill(theme_colours().picture_background);
    QPainter painter(&thumbnail);
    painter.setRenderHint(QPainter::SmoothPixmapTransform);
    for (const auto& [image, top] : {std::pair{frame.x, 0}, std::pair{frame.denoised, kThumbnail}}) {
        if (image.isNull()) continue;
        const QImage scaled = image.scaled(kThumbnail, kThumbnail, Qt::KeepAspectRatio, Qt::SmoothTransformation);
        painter.drawImage((kThumbnail - scaled.width()) / 2, top + (kThumbnail - scaled.height()) / 2, scaled);
    }
    painter.end();
    auto* item = new QListWidgetItem(QIcon(QPixmap::fromImage(thumbnail)), QString::number(frame.step));
    item->setToolTip(tr("step %1 of %2, σ %3").arg(frame.step).arg(frame.total).arg(frame.sigma, 0, 'g', 3));
    strip_->addItem(item);
}

void PreviewPanel::add_step(const irl::nodes::SamplingPreview& preview) {
    if (!frames_.isEmpty() && (frames_.last().node != preview.node || preview.step <= frames_.last().step)) clear();
    Frame frame{preview.node,      preview.step,   preview.total,   preview.sigma, decode(preview.state_png),
                decode(preview.denoised_png), preview.points, preview.shown, preview.columns, preview.labels};
    if (frame.x.isNull() && frame.denoised.isNull()) return;
    frames_.push_back(frame);
    add_thumbnail(frame);
    const QSignalBlocker block(slider_);
    slider_->setEnabled(true);
    slider_->setRange(0, frames_.size() - 1);
    if (follow_) slider_->setValue(frames_.size() - 1);
    save_->setEnabled(true);
    refresh();
}

void PreviewPanel::clear() {
    frames_.clear();
    follow_ = true;
    inspected_ = -1;
    const QSignalBlocker block(slider_);
    slider_->setRange(0, 0);
    slider_->setEnabled(false);
    save_->setEnabled(false);
    x_view_->clear_image();
    denoised_view_->clear_image();
    strip_->clear();
    detail_picture_->setPixmap(QPixmap());
    detail_picture_->setText(tr("Click a sample\nto see it large"));
    detail_text_->clear();
    step_label_->setText(tr("no steps"));
}

int PreviewPanel::current_frame() const { return frames_.isEmpty() ? -1 : slider_->value(); }

void PreviewPanel::show_frame(int index) {
    if (frames_.isEmpty()) return;
    slider_->setValue(std::clamp(index, 0, int(frames_.size()) - 1));
}

QImage PreviewPanel::current_x() const { return frames_.isEmpty() ? QImage() : frames_[current_frame()].x; }
QImage PreviewPanel::current_denoised() const { return frames_.isEmpty() ? QImage() : frames_[current_frame()].denoised; }

int PreviewPanel::zoom() const { return zoom_->currentData().toInt(); }

void PreviewPanel::set_zoom(int zoom) {
    const int index = zoom_->findData(zoom);
    if (index >= 0) zoom_->setCurrentIndex(index);
}

void PreviewPanel::refresh() {
    if (frames_.isEmpty()) return;
    const Frame& f = frames_[current_frame()];
    const int z = f.points ? 1 : zoom();  // scatter plots come at their own size
    x_view_->set_image(f.x, z);
    denoised_view_->set_image(f.denoised, z);
    x_caption_->setText(f.points ? tr("particles x_t over the true distribution (grey)") : tr("x_t — the current state"));
    denoised_caption_->setText(f.points ? tr("the predicted clean point D(x_t) of each particle") : tr("D(x_t) — the predicted clean image"));
    title_->setText(tr("%1 — step %2 of %3, σ = %4").arg(f.node).arg(f.step).arg(f.total).arg(f.sigma, 0, 'g', 4));
    step_label_->setText(tr("%1 / %2  (σ %3)").arg(f.step).arg(f.total).arg(f.sigma, 0, 'g', 3));
    {
        const QSignalBlocker block(strip_);
        strip_->setCurrentRow(current_frame());
    }
    if (inspected_ >= 0) {
        const Frame& shown = f;
        const QRect cell = cell_of(shown.denoised, shown.shown, shown.columns, inspected_);
        QImage pair(cell.width() * 2 + 4, cell.height(), QImage::Format_RGB32);
        pair.fill(theme_colours().picture_background);
        QPainter painter(&pair);
        if (!shown.x.isNull()) painter.drawImage(0, 0, shown.x.copy(cell));
        if (!shown.denoised.isNull()) painter.drawImage(cell.width() + 4, 0, shown.denoised.copy(cell));
        painter.end();
        const QSize room = detail_picture_->contentsRect().size().expandedTo(QSize(120, 60));
        detail_picture_->setPixmap(QPixmap::fromImage(pair.scaled(room, Qt::KeepAspectRatio, Qt::FastTransformation)));
        const int label = inspected_ < shown.labels.size() ? shown.labels[inspected_] : -1;
        detail_text_->setText(tr("sample %1 · %2 · step %3 of %4 (σ %5)\nleft x_t, right D(x_t)")
                                  .arg(inspected_)
                                  .arg(label >= 0 ? tr("class %1").arg(label) : tr("no class"))
                                  .arg(shown.step)
                                  .arg(shown.total)
                                  .arg(shown.sigma, 0, 'g', 3));
    }
}

bool PreviewPanel::inspect_sample(const QPoint& pixel) {
    if (frames_.isEmpty()) return false;
    const Frame& f = frames_[current_frame()];
    if (f.points || f.shown < 1) return false;
    for (int i = 0; i < f.shown; ++i) {
        if (!cell_of(f.denoised, f.shown, f.columns, i).contains(pixel)) continue;
        inspected_ = i;
        refresh();
        return true;
    }
    return false;
}

QString PreviewPanel::sample_details() const { return detail_text_->text(); }

bool PreviewPanel::save_current(const QString& path, QString* error, bool state) const {
    const QImage image = state ? current_x() : (current_denoised().isNull() ? current_x() : current_denoised());
    if (image.isNull()) {
        if (error) *error = tr("nothing to save yet");
        return false;
    }
    // At the scale shown (Fit: what fits the view now).
    const double scale = zoom() > 0 ? zoom() : std::max(1.0, denoised_view_->scale());
    const QImage scaled = image.scaled(image.size() * scale, Qt::KeepAspectRatio, Qt::FastTransformation);
    if (!scaled.save(path, "PNG")) {
        if (error) *error = tr("cannot write '%1'").arg(path);
        return false;
    }
    return true;
}

void PreviewPanel::save_dialog(bool state) {
    const QString path = QFileDialog::getSaveFileName(this, state ? tr("Save x_t") : tr("Save D(x_t)"),
                                                      state ? QStringLiteral("state.png") : QStringLiteral("denoised.png"),
                                                      tr("PNG images (*.png)"));
    if (path.isEmpty()) return;
    QString error;
    if (!save_current(path, &error, state)) QMessageBox::warning(this, tr("Save preview"), error);
}

}  // namespace irl::studio
