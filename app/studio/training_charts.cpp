#include "training_charts.h"
#include "theme.h"

#include <QChart>
#include <QChartView>
#include <QGridLayout>
#include <QLabel>
#include <QLineSeries>
#include <QPen>
#include <QValueAxis>

#include <algorithm>

namespace irl::studio {
namespace {

constexpr int kColumns = 2;

}  // namespace

TrainingCharts::TrainingCharts(QWidget* parent) : QWidget(parent) {
    setObjectName("training-charts");
    grid_ = new QGridLayout(this);
    grid_->setContentsMargins(0, 0, 0, 0);
    placeholder_ = new QLabel(tr("The trainer's curves appear here from its first iteration."));
    placeholder_->setAlignment(Qt::AlignCenter);
    placeholder_->setStyleSheet(QStringLiteral("QLabel { color: %1; }").arg(theme_colours().caption.name()));
    grid_->addWidget(placeholder_, 0, 0);
}

TrainingCharts::~TrainingCharts() = default;

TrainingCharts::Plot& TrainingCharts::plot_for(const QString& title) {
    if (auto it = plots_.find(title); it != plots_.end()) return **it;
    auto plot = std::make_shared<Plot>();
    plot->chart = new QChart;
    plot->chart->setTitle(title);
    plot->chart->setTheme(QChart::ChartThemeDark);
    plot->chart->setBackgroundBrush(theme_colours().chart_background);
    plot->chart->setMargins(QMargins(2, 2, 2, 2));
    plot->chart->legend()->setAlignment(Qt::AlignRight);  // width is plentiful, height is not
    plot->chart->legend()->setVisible(false);
    QFont small = plot->chart->titleFont();
    small.setPointSizeF(std::max(7.0, small.pointSizeF() * 0.85));
    plot->chart->setTitleFont(small);
    plot->x = new QValueAxis;
    // Whole iterations at round intervals: 5 ticks over 0..10 would put one at 2.5, which "%d" prints as 2.
    plot->x->setLabelFormat("%d");
    plot->x->setTickType(QValueAxis::TicksDynamic);
    plot->x->setTickAnchor(0);
    plot->x->setTickInterval(2);
    plot->x->setTitleText(tr("iteration"));
    plot->x->setRange(0, 10);
    plot->y = new QValueAxis;
    plot->y2 = new QValueAxis;
    for (QValueAxis* axis : {plot->y, plot->y2}) {
        axis->setRange(0, 1);
        axis->setLabelFormat("%.3g");
        axis->setTickCount(4);
    }
    for (QValueAxis* axis : {plot->x, plot->y, plot->y2}) {
        axis->setLabelsFont(small);
        axis->setTitleFont(small);
        axis->setGridLineColor(theme_colours().chart_grid);
    }
    plot->y2->setGridLineVisible(false);
    // Its tick marks sit right against the labels, where they read as minus signs (a label
    // -5.2 looked like a tick and 5.2); the labels alone are clear on this side.
    plot->y2->setLineVisible(false);
    plot->y2->setVisible(false);
    plot->chart->addAxis(plot->x, Qt::AlignBottom);
    plot->chart->addAxis(plot->y, Qt::AlignLeft);
    plot->chart->addAxis(plot->y2, Qt::AlignRight);
    auto* view = new QChartView(plot->chart);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(220, 150);
    view->setObjectName("chart-" + title);
    placeholder_->hide();
    const int index = int(order_.size());
    grid_->addWidget(view, index / kColumns, index % kColumns);
    order_ << title;
    plots_.insert(title, plot);
    return *plot;
}

void TrainingCharts::add_series(Plot& plot, const irl::nodes::TrainingCurve& curve) {
    auto* series = new QLineSeries;
    series->setName(curve.label);
    plot.chart->addSeries(series);
    series->attachAxis(plot.x);
    series->attachAxis(curve.right_axis ? plot.y2 : plot.y);
    plot.series.insert(curve.name, series);
    plot.right.insert(curve.name, curve.right_axis);
    if (curve.reference) {
        QPen pen = series->pen();
        pen.setStyle(Qt::DashLine);
        // The first level of a chart in the reference colour, a second in the marker's.
        pen.setColor(plot.reference.isEmpty() ? theme_colours().reference_line : theme_colours().marker);
        pen.setWidthF(1.5);
        series->setPen(pen);
        plot.reference.insert(curve.name, NAN);
    }
    if (curve.right_axis) plot.y2->setVisible(true);
    plot.chart->legend()->setVisible(plot.series.size() > 1);
}

void TrainingCharts::append(Plot& plot, const QString& name, double x, double y) {
    QLineSeries* series = plot.series.value(name);
    if (!series || !std::isfinite(y)) return;
    const bool reference = plot.reference.contains(name);
    if (reference) plot.reference[name] = y;
    else series->append(x, y);
    const int side = plot.right.value(name) ? 1 : 0;
    plot.low[side] = std::min(plot.low[side], y);
    plot.high[side] = std::max(plot.high[side], y);
    if (!reference) plot.last_x = std::max(plot.last_x, x);
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
    const double span = std::max(10.0, plot.last_x);
    plot.x->setRange(0, span);
    // A round interval (1, 2 or 5 times a power of ten) that gives at most about six ticks.
    const double raw = span / 5.0, magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    const double step = raw <= magnitude ? magnitude : raw <= 2 * magnitude ? 2 * magnitude : raw <= 5 * magnitude ? 5 * magnitude : 10 * magnitude;
    plot.x->setTickInterval(std::max(1.0, step));
    span_references(plot);
}

void TrainingCharts::span_references(Plot& plot) {
    const double right = plot.x->max();
    for (auto it = plot.reference.begin(); it != plot.reference.end(); ++it)
        if (std::isfinite(it.value())) plot.series.value(it.key())->replace(QList<QPointF>{{0.0, it.value()}, {right, it.value()}});
}

void TrainingCharts::add(double iteration, const QVector<irl::nodes::TrainingCurve>& curves) {
    for (const irl::nodes::TrainingCurve& curve : curves) {
        Plot& plot = plot_for(curve.chart);
        if (!plot.series.contains(curve.name)) add_series(plot, curve);
        append(plot, curve.name, iteration, curve.value);
    }
}

void TrainingCharts::clear() {
    // Another run may report other curves (another trainer): start from no charts at all.
    for (const QString& title : std::as_const(order_))
        if (QWidget* view = findChild<QWidget*>("chart-" + title)) delete view;
    plots_.clear();
    order_.clear();
    placeholder_->show();
}

QList<QPointF> TrainingCharts::points(const QString& curve) const {
    for (const auto& plot : plots_)
        if (QLineSeries* s = plot->series.value(curve)) return s->points();
    return {};
}

QStringList TrainingCharts::charts() const { return order_; }

}  // namespace irl::studio
