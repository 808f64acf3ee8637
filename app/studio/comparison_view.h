// Two runs side by side: their samples and what they measured next to each other, or one over the
// other with a swipe (drag the divider) or a toggle (show A, show B), so that a fixed sampler and
// a learned policy with the same seed can be told apart sample by sample.
#pragma once

#include <QImage>
#include <QWidget>

class QLabel;
class QPushButton;
class QSlider;
class QStackedWidget;

namespace irl::studio {

struct HistoryEntry;

// Paints A left of the divider and B right of it, both scaled the same way.
class SwipeView : public QWidget {
    Q_OBJECT
public:
    explicit SwipeView(QWidget* parent = nullptr);
    void set_images(const QImage& a, const QImage& b);
    void set_divider(double fraction);  // 0: all B, 1: all A
    double divider() const { return divider_; }

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;

private:
    QRect target() const;
    QImage a_, b_;
    double divider_ = 0.5;
};

class ComparisonView : public QWidget {
    Q_OBJECT
public:
    explicit ComparisonView(QWidget* parent = nullptr);
    void compare(const HistoryEntry& a, const HistoryEntry& b);
    enum class Mode { SideBySide, Swipe, Toggle };
    void set_mode(Mode mode);
    Mode mode() const { return mode_; }
    // In toggle mode: which run is shown (true: A).
    bool showing_first() const { return showing_first_; }
    void toggle();
    QString metrics_text() const;
    SwipeView* swipe() const { return swipe_; }

private:
    void refresh();

    Mode mode_ = Mode::SideBySide;
    bool showing_first_ = true;
    QImage a_, b_;
    QString a_title_, b_title_;
    QLabel* heading_;
    QStackedWidget* pages_;
    QLabel* left_;
    QLabel* right_;
    SwipeView* swipe_;
    QLabel* single_;
    QLabel* metrics_;
    QPushButton* side_by_side_;
    QPushButton* swipe_button_;
    QPushButton* toggle_button_;
};

}  // namespace irl::studio
