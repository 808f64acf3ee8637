#include "preview_panel.h"

#include "irl/nodes/previews.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollArea>
#include <QSlider>
#include <QVBoxLayout>

namespace irl::studio {
namespace {

QImage decode(const QByteArray& png) {
    QImage image;
    if (!png.isEmpty()) image.loadFromData(png, "PNG");
    return image;
}

QLabel* picture_label() {
    auto* label = new QLabel;
    label->setAlignment(Qt::AlignCenter);
    label->setMinimumSize(120, 120);
    label->setStyleSheet("QLabel { background: #1e1f22; border: 1px solid #3c3f44; border-radius: 4px; }");
    return label;
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
    auto* x_column = new QVBoxLayout;
    x_caption_ = new QLabel(tr("x_t — the current state"));
    x_label_ = picture_label();
    x_label_->setObjectName("preview-x");
    x_column->addWidget(x_caption_);
    x_column->addWidget(x_label_, 1);
    auto* d_column = new QVBoxLayout;
    denoised_caption_ = new QLabel(tr("D(x_t) — the predicted clean image"));
    denoised_label_ = picture_label();
    denoised_label_->setObjectName("preview-denoised");
    d_column->addWidget(denoised_caption_);
    d_column->addWidget(denoised_label_, 1);
    pictures->addLayout(x_column, 1);
    pictures->addLayout(d_column, 1);
    auto* holder = new QWidget;
    holder->setLayout(pictures);
    auto* scroll = new QScrollArea;
    scroll->setWidget(holder);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    layout->addWidget(scroll, 1);

    auto* controls = new QHBoxLayout;
    filmstrip_ = new QSlider(Qt::Horizontal);
    filmstrip_->setObjectName("filmstrip");
    filmstrip_->setEnabled(false);
    filmstrip_->setToolTip(tr("Scrub through the denoising steps"));
    step_label_ = new QLabel(tr("no steps"));
    step_label_->setMinimumWidth(150);
    zoom_ = new QComboBox;
    zoom_->setObjectName("preview-zoom");
    for (int z : {1, 2, 3, 4, 6, 8}) zoom_->addItem(QStringLiteral("%1×").arg(z), z);
    zoom_->setCurrentIndex(2);
    zoom_->setToolTip(tr("Zoom (pixels are shown sharp)"));
    save_ = new QPushButton(tr("Save…"));
    save_->setEnabled(false);
    save_->setToolTip(tr("Save the shown predicted images as PNG"));
    controls->addWidget(new QLabel(tr("Step")));
    controls->addWidget(filmstrip_, 1);
    controls->addWidget(step_label_);
    controls->addWidget(zoom_);
    controls->addWidget(save_);
    layout->addLayout(controls);

    connect(filmstrip_, &QSlider::valueChanged, this, [this](int value) {
        follow_ = value == filmstrip_->maximum();
        refresh();
        Q_EMIT frame_shown(value);
    });
    connect(zoom_, &QComboBox::currentIndexChanged, this, [this] { refresh(); });
    connect(save_, &QPushButton::clicked, this, &PreviewPanel::save_dialog);
}

void PreviewPanel::add_step(const irl::nodes::SamplingPreview& preview) {
    if (!frames_.isEmpty() && (frames_.last().node != preview.node || preview.step <= frames_.last().step)) clear();
    Frame frame{preview.node, preview.step, preview.total, preview.sigma, decode(preview.state_png), decode(preview.denoised_png)};
    if (frame.x.isNull() && frame.denoised.isNull()) return;
    frames_.push_back(frame);
    const QSignalBlocker block(filmstrip_);
    filmstrip_->setEnabled(true);
    filmstrip_->setRange(0, frames_.size() - 1);
    if (follow_) filmstrip_->setValue(frames_.size() - 1);
    save_->setEnabled(true);
    refresh();
}

void PreviewPanel::clear() {
    frames_.clear();
    follow_ = true;
    const QSignalBlocker block(filmstrip_);
    filmstrip_->setRange(0, 0);
    filmstrip_->setEnabled(false);
    save_->setEnabled(false);
    x_label_->clear();
    denoised_label_->clear();
    step_label_->setText(tr("no steps"));
}

int PreviewPanel::current_frame() const { return frames_.isEmpty() ? -1 : filmstrip_->value(); }

void PreviewPanel::show_frame(int index) {
    if (frames_.isEmpty()) return;
    filmstrip_->setValue(std::clamp(index, 0, int(frames_.size()) - 1));
}

QImage PreviewPanel::current_x() const { return frames_.isEmpty() ? QImage() : frames_[current_frame()].x; }
QImage PreviewPanel::current_denoised() const { return frames_.isEmpty() ? QImage() : frames_[current_frame()].denoised; }

int PreviewPanel::zoom() const { return zoom_->currentData().toInt(); }

void PreviewPanel::refresh() {
    if (frames_.isEmpty()) return;
    const Frame& f = frames_[current_frame()];
    const bool points = f.x.width() > 200;  // scatter plots come at their own size
    auto show = [&](QLabel* label, const QImage& image) {
        if (image.isNull()) return label->clear();
        const int z = points ? 1 : zoom();
        label->setPixmap(QPixmap::fromImage(image.scaled(image.size() * z, Qt::KeepAspectRatio, Qt::FastTransformation)));
    };
    show(x_label_, f.x);
    show(denoised_label_, f.denoised);
    x_caption_->setText(points ? tr("particles x_t over the true distribution (grey)") : tr("x_t — the current state"));
    denoised_caption_->setText(points ? tr("the predicted clean point D(x_t) of each particle") : tr("D(x_t) — the predicted clean image"));
    title_->setText(tr("%1 — step %2 of %3, σ = %4").arg(f.node).arg(f.step).arg(f.total).arg(f.sigma, 0, 'g', 4));
    step_label_->setText(tr("%1 / %2  (σ %3)").arg(f.step).arg(f.total).arg(f.sigma, 0, 'g', 3));
}

bool PreviewPanel::save_current(const QString& path, QString* error) const {
    const QImage image = current_denoised().isNull() ? current_x() : current_denoised();
    if (image.isNull()) {
        if (error) *error = tr("nothing to save yet");
        return false;
    }
    const QImage scaled = image.scaled(image.size() * zoom(), Qt::KeepAspectRatio, Qt::FastTransformation);
    if (!scaled.save(path, "PNG")) {
        if (error) *error = tr("cannot write '%1'").arg(path);
        return false;
    }
    return true;
}

void PreviewPanel::save_dialog() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Save preview"), QStringLiteral("preview.png"), tr("PNG images (*.png)"));
    if (path.isEmpty()) return;
    QString error;
    if (!save_current(path, &error)) QMessageBox::warning(this, tr("Save preview"), error);
}

}  // namespace irl::studio
