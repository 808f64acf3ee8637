#include "comparison_view.h"
#include "theme.h"

#include "run_history.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QPainter>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace irl::studio {
namespace {

QLabel* picture_label(const QString& name) {
    auto* label = new QLabel;
    label->setObjectName(name);
    label->setAlignment(Qt::AlignCenter);
    label->setMinimumSize(160, 160);
    label->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
    label->setStyleSheet(picture_box_style());
    return label;
}

void show_scaled(QLabel* label, const QImage& image) {
    if (image.isNull()) {
        label->setPixmap(QPixmap());
        label->setText(QObject::tr("no samples"));
        return;
    }
    const QSize room = label->contentsRect().size().expandedTo(QSize(160, 160));
    label->setPixmap(QPixmap::fromImage(image.scaled(room, Qt::KeepAspectRatio, image.width() < 400 ? Qt::FastTransformation : Qt::SmoothTransformation)));
}

QString title_of(const HistoryEntry& e) { return e.time.toString("HH:mm:ss") + (e.status == "done" ? QString() : " (" + e.status + ")"); }

}  // namespace

SwipeView::SwipeView(QWidget* parent) : QWidget(parent) {
    setObjectName("comparison-swipe");
    setMinimumSize(160, 160);
    setCursor(Qt::SplitHCursor);
    setToolTip(tr("Drag: the left part shows run A, the right part run B"));
}

void SwipeView::set_images(const QImage& a, const QImage& b) {
    a_ = a;
    b_ = b;
    update();
}

void SwipeView::set_divider(double fraction) {
    divider_ = std::clamp(fraction, 0.0, 1.0);
    update();
}

QRect SwipeView::target() const {
    const QImage& reference = a_.isNull() ? b_ : a_;
    if (reference.isNull()) return rect();
    const QSize size = reference.size().scaled(rect().size(), Qt::KeepAspectRatio);
    return QRect(QPoint((width() - size.width()) / 2, (height() - size.height()) / 2), size);
}

void SwipeView::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.fillRect(rect(), theme_colours().picture_background);
    const QRect box = target();
    const int split = box.left() + int(divider_ * box.width());
    if (!b_.isNull()) painter.drawImage(box, b_);
    if (!a_.isNull()) {
        painter.save();
        painter.setClipRect(QRect(box.left(), box.top(), split - box.left(), box.height()));
        painter.drawImage(box, a_);
        painter.restore();
    }
    painter.setPen(QPen(theme_colours().marker, 2));
    painter.drawLine(split, box.top(), split, box.bottom());
    painter.setPen(theme_colours().overlay_text);
    painter.drawText(box.adjusted(6, 4, -6, -4), Qt::AlignTop | Qt::AlignLeft, "A");
    painter.drawText(box.adjusted(6, 4, -6, -4), Qt::AlignTop | Qt::AlignRight, "B");
}

void SwipeView::mousePressEvent(QMouseEvent* event) { mouseMoveEvent(event); }

void SwipeView::mouseMoveEvent(QMouseEvent* event) {
    const QRect box = target();
    if (box.width() > 0) set_divider(double(event->position().x() - box.left()) / box.width());
}

ComparisonView::ComparisonView(QWidget* parent) : QWidget(parent) {
    setObjectName("comparison-view");
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    auto* bar = new QHBoxLayout;
    heading_ = new QLabel(tr("Select two runs in History and press Compare."));
    side_by_side_ = new QPushButton(tr("Side by side"));
    swipe_button_ = new QPushButton(tr("Swipe"));
    toggle_button_ = new QPushButton(tr("Toggle A / B"));
    side_by_side_->setObjectName("comparison-side-by-side");
    swipe_button_->setObjectName("comparison-swipe-mode");
    toggle_button_->setObjectName("comparison-toggle");
    toggle_button_->setToolTip(tr("Show run A, then B, in the same place (press again to switch)"));
    bar->addWidget(heading_, 1);
    for (QPushButton* b : {side_by_side_, swipe_button_, toggle_button_}) bar->addWidget(b);
    layout->addLayout(bar);

    pages_ = new QStackedWidget;
    auto* pair = new QWidget;
    auto* pair_layout = new QHBoxLayout(pair);
    pair_layout->setContentsMargins(0, 0, 0, 0);
    left_ = picture_label("comparison-a");
    right_ = picture_label("comparison-b");
    pair_layout->addWidget(left_);
    pair_layout->addWidget(right_);
    swipe_ = new SwipeView;
    single_ = picture_label("comparison-single");
    pages_->addWidget(pair);
    pages_->addWidget(swipe_);
    pages_->addWidget(single_);
    layout->addWidget(pages_, 1);
    metrics_ = new QLabel;
    metrics_->setObjectName("comparison-metrics");
    metrics_->setWordWrap(true);
    metrics_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(metrics_);

    connect(side_by_side_, &QPushButton::clicked, this, [this] { set_mode(Mode::SideBySide); });
    connect(swipe_button_, &QPushButton::clicked, this, [this] { set_mode(Mode::Swipe); });
    connect(toggle_button_, &QPushButton::clicked, this, [this] {
        if (mode_ == Mode::Toggle) toggle();
        else set_mode(Mode::Toggle);
    });
}

void ComparisonView::compare(const HistoryEntry& a, const HistoryEntry& b) {
    a_ = a.picture();
    b_ = b.picture();
    a_title_ = title_of(a);
    b_title_ = title_of(b);
    heading_->setText(tr("A: run of %1 · B: run of %2").arg(a_title_, b_title_));
    // What each measured, key by key, A beside B.
    QStringList keys = a.numbers.keys();
    for (const QString& k : b.numbers.keys())
        if (!keys.contains(k)) keys << k;
    std::sort(keys.begin(), keys.end());
    QStringList lines;
    auto value = [](const QVariantMap& m, const QString& k) { return m.contains(k) ? QString::number(m.value(k).toDouble(), 'g', 4) : "—"; };
    // Scores and costs; bookkeeping (seconds, images written) left out.
    for (const QString& k : keys)
        if (!k.endsWith("seconds") && !k.endsWith(".written") && !k.endsWith(".images")) lines << QStringLiteral("%1: A %2 · B %3").arg(k, value(a.numbers, k), value(b.numbers, k));
    // First what the user changed between the runs (seeds included), then what each measured.
    const QStringList changed = RunHistory::differences(a, b);
    metrics_->setText((changed.isEmpty() ? tr("The same graph, the same parameters.") : tr("What changed, A → B:") + "\n" + changed.join("\n")) +
                      "\n\n" + (lines.isEmpty() ? tr("Neither run measured anything.") : lines.join("\n")));
    swipe_->set_images(a_, b_);
    refresh();
}

void ComparisonView::set_mode(Mode mode) {
    mode_ = mode;
    showing_first_ = true;
    refresh();
}

void ComparisonView::toggle() {
    showing_first_ = !showing_first_;
    refresh();
}

void ComparisonView::refresh() {
    pages_->setCurrentIndex(mode_ == Mode::SideBySide ? 0 : mode_ == Mode::Swipe ? 1 : 2);
    show_scaled(left_, a_);
    show_scaled(right_, b_);
    show_scaled(single_, showing_first_ ? a_ : b_);
    if (mode_ == Mode::Toggle) toggle_button_->setText(showing_first_ ? tr("Showing A: show B") : tr("Showing B: show A"));
    else toggle_button_->setText(tr("Toggle A / B"));
}

QString ComparisonView::metrics_text() const { return metrics_->text(); }

}  // namespace irl::studio
