// The live view of sampling: at every denoising step the current states x_t and the predicted
// clean images D(x_t) (or, for the 2-D toys, the particles over the true distribution). Every step
// is kept, so that after a run a filmstrip slider scrubs through them; zoom and save.
#pragma once

#include <QImage>
#include <QVector>
#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QSlider;

namespace irl::nodes {
struct SamplingPreview;
}

namespace irl::studio {

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
    // Writes the shown D(x_t) picture (scaled by the zoom) to a PNG file.
    bool save_current(const QString& path, QString* error = nullptr) const;

Q_SIGNALS:
    void frame_shown(int index);

private:
    struct Frame {
        QString node;
        int step = 0;
        int total = 0;
        double sigma = 0.0;
        QImage x, denoised;
    };
    void refresh();
    int zoom() const;
    void save_dialog();

    QVector<Frame> frames_;
    bool follow_ = true;  // show each new step until the user scrubs back
    QLabel* title_;
    QLabel* x_label_;
    QLabel* denoised_label_;
    QLabel* x_caption_;
    QLabel* denoised_caption_;
    QSlider* filmstrip_;
    QLabel* step_label_;
    QComboBox* zoom_;
    QPushButton* save_;
};

}  // namespace irl::studio
