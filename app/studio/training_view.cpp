#include "training_view.h"

#include "irl/nodes/node_pack.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QPainter>
#include <QPushButton>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace irl::studio {
namespace {

// A perceptually ordered dark-blue -> teal -> yellow ramp (anchor colours picked by eye, in the
// spirit of viridis), so that probability reads the same in every cell.
QColor ramp(double t) {
    static const QColor stops[] = {QColor(38, 20, 70), QColor(49, 94, 140), QColor(33, 150, 140), QColor(120, 200, 90),
                                   QColor(250, 230, 40)};
    t = std::clamp(t, 0.0, 1.0) * 4.0;
    const int i = std::min(3, static_cast<int>(t));
    const double f = t - i;
    const QColor& a = stops[i];
    const QColor& b = stops[i + 1];
    return QColor::fromRgbF(a.redF() + f * (b.redF() - a.redF()), a.greenF() + f * (b.greenF() - a.greenF()),
                            a.blueF() + f * (b.blueF() - a.blueF()));
}

const QColor kText(220, 222, 226);
const QColor kGrid(70, 73, 80);

}  // namespace

ActionHeatMap::ActionHeatMap(QWidget* parent) : QWidget(parent) {
    setObjectName("action-heat-map");
    setMinimumHeight(120);
    setToolTip(tr("Probability of each choice (rows) at each step (columns, from pure noise on the left)"));
}

void ActionHeatMap::set_tables(const QVariantMap& tables) {
    tables_ = tables;
    updateGeometry();
    update();
}

QSize ActionHeatMap::sizeHint() const {
    int rows = 0;
    for (const QVariant& t : tables_) rows += t.toMap().value("choices").toList().size();
    return {420, 40 + rows * 22 + static_cast<int>(tables_.size()) * 26};
}

void ActionHeatMap::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing, false);
    painter.fillRect(rect(), QColor(37, 38, 42));
    painter.setPen(kText);
    if (tables_.isEmpty()) {
        painter.drawText(rect(), Qt::AlignCenter, tr("Action probabilities per step appear here while training."));
        return;
    }
    const QFontMetrics metrics(font());
    const int label_width = 90, legend_height = 18;
    int rows = 0;
    for (const QVariant& t : tables_) rows += t.toMap().value("choices").toList().size();
    const int header = metrics.height() + 4;
    const double available = height() - legend_height - 8 - tables_.size() * header;
    const double row_height = std::clamp(available / std::max(1, rows), 8.0, 26.0);
    double y = 4;
    for (auto it = tables_.begin(); it != tables_.end(); ++it) {
        const QVariantMap table = it.value().toMap();
        const QVariantList choices = table.value("choices").toList();
        const QVariantList levels = table.value("probabilities").toList();
        const QVariantList active = table.value("active").toList();  // absent: active at every step
        painter.setPen(kText);
        painter.drawText(QRectF(4, y, width() - 8, header), Qt::AlignLeft | Qt::AlignVCenter, it.key());
        y += header;
        const double cell = levels.isEmpty() ? 0 : (width() - label_width - 8.0) / levels.size();
        const double table_top = y;
        for (int c = 0; c < choices.size(); ++c) {
            painter.setPen(kText);
            painter.drawText(QRectF(4, y, label_width - 8, row_height), Qt::AlignRight | Qt::AlignVCenter,
                             QString::number(choices[c].toDouble(), 'g', 3));
            for (int l = 0; l < levels.size(); ++l) {
                const double p = levels[l].toList().value(c).toDouble();
                const QRectF r(label_width + l * cell, y, cell, row_height);
                if (l < active.size() && !active[l].toBool()) {
                    // The policy does not choose here (outside the action's noise-level range).
                    painter.fillRect(r.adjusted(0.5, 0.5, -0.5, -0.5), QColor(52, 53, 58));
                    if (c + 1 == choices.size() && cell > 34) {  // once the column is filled
                        painter.setPen(QColor(120, 122, 130));
                        painter.drawText(QRectF(r.left(), table_top, cell, r.bottom() - table_top), Qt::AlignCenter, tr("fixed"));
                    }
                    continue;
                }
                painter.fillRect(r.adjusted(0.5, 0.5, -0.5, -0.5), ramp(p));
                if (cell > 34 && row_height > 14) {
                    painter.setPen(p > 0.6 ? QColor(20, 20, 20) : kText);
                    painter.drawText(r, Qt::AlignCenter, QString::number(p, 'f', 2));
                }
            }
            y += row_height;
        }
        y += 4;
    }
    // Legend: probability 0 .. 1 and the step direction.
    const QRectF legend(label_width, height() - legend_height - 2, std::min(200, width() - label_width - 8), 10);
    for (int i = 0; i < int(legend.width()); ++i)
        painter.fillRect(QRectF(legend.left() + i, legend.top(), 1, legend.height()), ramp(i / legend.width()));
    painter.setPen(kText);
    painter.drawText(QRectF(4, legend.top() - 3, label_width - 8, 16), Qt::AlignRight | Qt::AlignVCenter, tr("p: 0"));
    painter.drawText(QRectF(legend.right() + 4, legend.top() - 3, 200, 16), Qt::AlignLeft | Qt::AlignVCenter,
                     tr("1    steps: noise → data"));
}

TrainingView::TrainingView(QWidget* parent) : QWidget(parent) {
    setObjectName("training-view");
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);

    auto* bar = new QHBoxLayout;
    trainers_ = new QComboBox;
    trainers_->setObjectName("trainer-chooser");
    trainers_->setToolTip(tr("The IRL Trainer node to train"));
    start_ = new QPushButton(tr("Train"));
    start_->setObjectName("train-start");
    start_->setToolTip(tr("Run the graph up to this trainer and train the policy"));
    pause_ = new QPushButton(tr("Pause"));
    pause_->setObjectName("train-pause");
    stop_ = new QPushButton(tr("Stop"));
    stop_->setObjectName("train-stop");
    stop_->setToolTip(tr("End training now and keep the policy learned so far"));
    checkpoint_ = new QPushButton(tr("Save checkpoint"));
    checkpoint_->setObjectName("train-checkpoint");
    checkpoint_->setToolTip(tr("Write a checkpoint at the next iteration (training resumes from it)"));
    use_ = new QPushButton(tr("Use in Policy node"));
    use_->setObjectName("train-use");
    use_->setToolTip(tr("Add a Policy node that loads the trained policy file"));
    bar->addWidget(new QLabel(tr("Trainer")));
    bar->addWidget(trainers_, 1);
    for (QPushButton* b : {start_, pause_, stop_, checkpoint_, use_}) bar->addWidget(b);
    layout->addLayout(bar);
    status_ = new QLabel(tr("Not training."));
    status_->setObjectName("training-status");
    layout->addWidget(status_);

    auto* grid = new QGridLayout;
    grid->addWidget(make_plot(discriminator_, tr("Discriminator"), {"discriminator_loss", "discriminator_accuracy"},
                              {tr("loss"), tr("accuracy")}), 0, 0);
    grid->addWidget(make_plot(reward_, tr("Mean reward"), {"mean_reward"}, {tr("reward")}), 0, 1);
    grid->addWidget(make_plot(entropy_, tr("Policy entropy"), {"entropy"}, {tr("entropy (nats)")}), 1, 0);
    grid->addWidget(make_plot(quality_, tr("Evaluation (FD left, precision and recall right)"), {"fd", "precision", "recall"},
                              {tr("FD"), tr("precision"), tr("recall")}, {"precision", "recall"}),
                    1, 1);
    layout->addLayout(grid, 3);

    auto* bottom = new QHBoxLayout;
    heat_map_ = new ActionHeatMap;
    bottom->addWidget(heat_map_, 3);
    samples_label_ = new QLabel(tr("latest samples"));
    samples_label_->setObjectName("training-samples");
    samples_label_->setAlignment(Qt::AlignCenter);
    samples_label_->setMinimumSize(160, 160);
    samples_label_->setStyleSheet("QLabel { background: #1e1f22; border: 1px solid #3c3f44; border-radius: 4px; color: #9aa0a6; }");
    bottom->addWidget(samples_label_, 1);
    layout->addLayout(bottom, 2);

    connect(start_, &QPushButton::clicked, this, [this] {
        if (!trainer().isEmpty()) Q_EMIT start_requested(trainer());
    });
    connect(pause_, &QPushButton::clicked, this, [this] { Q_EMIT pause_requested(!paused_); });
    connect(stop_, &QPushButton::clicked, this, [this] { Q_EMIT stop_requested(); });
    connect(checkpoint_, &QPushButton::clicked, this, [this] { Q_EMIT checkpoint_requested(); });
    connect(use_, &QPushButton::clicked, this, [this] {
        if (!trainer().isEmpty()) Q_EMIT use_policy_requested(trainer());
    });
    update_buttons();
}

QWidget* TrainingView::make_plot(Plot& plot, const QString& title, const QStringList& names, const QStringList& labels,
                                 const QStringList& secondary) {
    plot.chart = new QChart;
    plot.chart->setTitle(title);
    plot.chart->setTheme(QChart::ChartThemeDark);
    plot.chart->setBackgroundBrush(QColor(37, 38, 42));
    plot.chart->setMargins(QMargins(2, 2, 2, 2));
    plot.chart->legend()->setAlignment(Qt::AlignRight);  // width is plentiful, height is not
    plot.chart->legend()->setVisible(names.size() > 1);
    QFont small = plot.chart->titleFont();
    small.setPointSizeF(std::max(7.0, small.pointSizeF() * 0.85));
    plot.chart->setTitleFont(small);
    plot.x = new QValueAxis;
    plot.x->setLabelFormat("%d");
    plot.x->setTickCount(5);
    plot.x->setTitleText(tr("iteration"));
    plot.x->setRange(0, 10);
    plot.y = new QValueAxis;
    plot.y->setRange(0, 1);
    plot.y->setLabelFormat("%.3g");
    plot.y->setTickCount(4);
    for (QValueAxis* axis : {plot.x, plot.y}) {
        axis->setLabelsFont(small);
        axis->setTitleFont(small);
        axis->setGridLineColor(kGrid);
    }
    plot.chart->addAxis(plot.x, Qt::AlignBottom);
    plot.chart->addAxis(plot.y, Qt::AlignLeft);
    plot.y2 = new QValueAxis;
    plot.y2->setRange(0, 1);
    plot.y2->setLabelFormat("%.3g");
    plot.y2->setTickCount(4);
    plot.y2->setLabelsFont(small);
    plot.y2->setGridLineVisible(false);
    // Its tick marks sit right against the labels, where they read as minus signs (a label
    // -5.2 looked like a tick and 5.2); the labels alone are clear on this side.
    plot.y2->setLineVisible(false);
    plot.chart->addAxis(plot.y2, Qt::AlignRight);
    plot.y2->setVisible(!secondary.isEmpty());
    for (int i = 0; i < names.size(); ++i) add_series(plot, names[i], labels[i], secondary.contains(names[i]));
    auto* view = new QChartView(plot.chart);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(220, 150);
    view->setObjectName("chart-" + names.first());
    return view;
}

void TrainingView::add_series(Plot& plot, const QString& name, const QString& label, bool secondary) {
    auto* series = new QLineSeries;
    series->setName(label);
    plot.chart->addSeries(series);
    series->attachAxis(plot.x);
    series->attachAxis(secondary ? plot.y2 : plot.y);
    plot.series.insert(name, series);
    if (secondary) {
        plot.secondary << name;
        plot.y2->setVisible(true);
    }
    plot.chart->legend()->setVisible(plot.series.size() > 1);
}

void TrainingView::append(Plot& plot, const QString& name, double x, double y) {
    QLineSeries* series = plot.series.value(name);
    if (!series || !std::isfinite(y)) return;
    series->append(x, y);
    const int side = plot.secondary.contains(name) ? 1 : 0;
    plot.low[side] = std::min(plot.low[side], y);
    plot.high[side] = std::max(plot.high[side], y);
    plot.last_x = std::max(plot.last_x, x);
    // Rescale the axis to its series, with a little headroom.
    double lo = plot.low[side], hi = plot.high[side];
    if (hi - lo < 1e-9) {
        // A flat series: a span the axis labels can tell apart, also for large values.
        const double half = std::max(0.5, 0.05 * std::abs(hi));
        lo -= half;
        hi += half;
    }
    const double pad = 0.08 * (hi - lo);
    (side ? plot.y2 : plot.y)->setRange(lo - pad, hi + pad);
    plot.x->setRange(0, std::max(10.0, plot.last_x));
}

void TrainingView::set_trainers(const QStringList& node_ids) {
    const QString current = trainer();
    const QSignalBlocker block(trainers_);
    trainers_->clear();
    trainers_->addItems(node_ids);
    if (node_ids.contains(current)) trainers_->setCurrentText(current);
    update_buttons();
}

QString TrainingView::trainer() const { return trainers_->currentText(); }

void TrainingView::select_trainer(const QString& node_id) {
    const int index = trainers_->findText(node_id);
    if (index >= 0) trainers_->setCurrentIndex(index);
}

void TrainingView::set_running(bool running) {
    running_ = running;
    if (!running) paused_ = false;
    update_buttons();
}

void TrainingView::set_paused(bool paused) {
    paused_ = paused;
    update_buttons();
    if (running_) status_->setText(paused ? tr("Paused at iteration %1.").arg(iterations_) : tr("Training…"));
}

void TrainingView::update_buttons() {
    const bool any = trainers_->count() > 0;
    start_->setEnabled(any && !running_);
    pause_->setEnabled(running_);
    pause_->setText(paused_ ? tr("Resume") : tr("Pause"));
    stop_->setEnabled(running_);
    checkpoint_->setEnabled(running_);
    use_->setEnabled(any && !running_);
}

void TrainingView::clear() {
    iterations_ = 0;
    for (Plot* plot : {&discriminator_, &reward_, &entropy_, &quality_}) {
        for (QLineSeries* s : plot->series) s->clear();
        plot->low[0] = plot->low[1] = INFINITY;
        plot->high[0] = plot->high[1] = -INFINITY;
        plot->last_x = 1;
        plot->x->setRange(0, 10);
        plot->y->setRange(0, 1);
    }
    heat_map_->set_tables({});
    samples_ = QImage();
    samples_label_->setPixmap(QPixmap());
    samples_label_->setText(tr("latest samples"));
}

void TrainingView::add_iteration(const irl::nodes::NodePreview& preview) {
    const QVariantMap& n = preview.numbers;
    const double i = n.value("iteration").toDouble();
    iterations_ = static_cast<int>(i);
    append(discriminator_, "discriminator_loss", i, n.value("discriminator_loss").toDouble());
    append(discriminator_, "discriminator_accuracy", i, n.value("discriminator_accuracy").toDouble());
    append(reward_, "mean_reward", i, n.value("mean_reward").toDouble());
    append(entropy_, "entropy", i, n.value("entropy").toDouble());
    for (const char* key : {"fd", "precision", "recall"})
        if (n.contains(key)) append(quality_, key, i, n.value(key).toDouble());
    if (n.contains("mean_log_density") && !quality_.series.contains("mean_log_density")) {
        // Toys: the exact mean log density under the true data, on the right axis.
        add_series(quality_, "mean_log_density", tr("log density"), true);
        quality_.chart->setTitle(tr("Evaluation (FD left, exact log density right)"));
    }
    if (n.contains("mean_log_density")) append(quality_, "mean_log_density", i, n.value("mean_log_density").toDouble());
    heat_map_->set_tables(preview.tables);
    if (preview.pictures.contains("samples")) {
        QImage image;
        if (image.loadFromData(preview.pictures.value("samples").toByteArray(), "PNG")) {
            samples_ = image;
            // Fit the label, pixels sharp for small image grids, smooth for scatter plots.
            const QSize room = samples_label_->contentsRect().size().boundedTo(QSize(480, 480)).expandedTo(QSize(120, 120));
            const bool grid = image.width() < 200;
            samples_label_->setPixmap(QPixmap::fromImage(
                image.scaled(room, Qt::KeepAspectRatio, grid ? Qt::FastTransformation : Qt::SmoothTransformation)));
        }
    }
    QString text = tr("Iteration %1 of %2 · discriminator accuracy %3 · %4 function evaluations so far")
                       .arg(preview.step)
                       .arg(preview.total)
                       .arg(n.value("discriminator_accuracy").toDouble(), 0, 'f', 2)
                       .arg(n.value("training_evaluations").toLongLong());
    if (n.contains("fd")) text += tr(" · FD %1").arg(n.value("fd").toDouble(), 0, 'g', 4);
    if (paused_) text = tr("Paused · ") + text;
    status_->setText(text);
}

QList<QPointF> TrainingView::series_points(const QString& name) const {
    for (const Plot* plot : {&discriminator_, &reward_, &entropy_, &quality_})
        if (QLineSeries* s = plot->series.value(name)) return s->points();
    return {};
}

void TrainingView::set_message(const QString& text) { status_->setText(text); }

}  // namespace irl::studio
