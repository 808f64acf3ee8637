// The live view of sampling: at every denoising step the current states x_t and the predicted
// clean images D(x_t) (or, for the 2-D toys, the particles over the true distribution). Every step
// is kept: a filmstrip of per-step thumbnails and a slider scrub through them. The pictures fit
// the view (the default), or zoom with sharp pixels and scroll or pan when larger than the view; a click on a sample shows it
// large with its index, its class and the step.
#pragma once

#include <QImage>
#include <QVector>
#include <QWidget>

class QComboBox;
class QLabel;
class QListWidget;
class QSlider;
class QToolButton;

namespace irl::nodes {
struct SamplingPreview;
}

namespace irl::studio {

class ZoomableImage;

class PreviewPanel : public QWidget {
    Q_OBJECT
public:
    explicit PreviewPanel(QWidget* parent = nullptr);

    // A sampling preview from the engine (x_t and D(x_t) as PNG bytes).
    void add_step(const irl::nodes::SamplingPreview& preview);
    void clear();
    int frame_count() const { return frames_.size(); }
    int current_frame() const;
    void show_frame(int index);
    QImage current_x() const;
    QImage current_denoised() const;
    QImage last_denoised() const { return frames_.isEmpty() ? QImage() : frames_.last().denoised; }
    void set_zoom(int zoom);
    // Writes the shown D(x_t) (or, with `state`, x_t) picture, scaled by the zoom, to a PNG file.
    bool save_current(const QString& path, QString* error = nullptr, bool state = false) const;
    // Shows the sample under a pixel of the pictures large, with its index, class and the step;
    // false when the pixel is between samples or the pictures are scatter plots.
    bool inspect_sample(const QPoint& pixel);
    QString sample_details() const;

    ZoomableImage* state_view() const { return x_view_; }
    ZoomableImage* denoised_view() const { return denoised_view_; }
    QListWidget* filmstrip() const { return strip_; }

Q_SIGNALS:
    void frame_shown(int index);

private:
    struct Frame {
        QString node;
        int step = 0;
        int total = 0;
        double sigma = 0.0;
        QImage x, denoised;
        bool points = false;
        int shown = 0, columns = 0;
        QVector<int> labels;
    };
    void refresh();
    int zoom() const;
    void save_dialog(bool state);
    void add_thumbnail(const Frame& frame);

    QVector<Frame> frames_;
    bool follow_ = true;  // show each new step until the user scrubs back
    int inspected_ = -1;  // the sample shown large, -1: none
    QLabel* title_;
    ZoomableImage* x_view_;
    ZoomableImage* denoised_view_;
    QLabel* x_caption_;
    QLabel* denoised_caption_;
    QLabel* detail_picture_;
    QLabel* detail_text_;
    QListWidget* strip_;
    QSlider* slider_;
    QLabel* step_label_;
    QComboBox* zoom_;
    QToolButton* save_;
};

}  // namespace irl::studio
