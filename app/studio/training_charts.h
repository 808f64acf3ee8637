// The live curves of a training run, built from what the trainer reports: each chart a trainer
// names gets its own plot (in the order they first arrive), each curve its own series, with a
// left and a right axis that rescale from running bounds.
#pragma once

#include "irl/nodes/previews.h"

#include <QHash>
#include <QList>
#include <QPointF>
#include <QWidget>

#include <cmath>
#include <memory>

class QChart;
class QGridLayout;
class QLabel;
class QLineSeries;
class QValueAxis;

namespace irl::studio {

class TrainingCharts : public QWidget {
    Q_OBJECT
public:
    explicit TrainingCharts(QWidget* parent = nullptr);
    ~TrainingCharts() override;

    void add(double iteration, const QVector<irl::nodes::TrainingCurve>& curves);
    void clear();
    QList<QPointF> points(const QString& curve) const;
    QStringList charts() const;

private:
    struct Plot {
        QChart* chart = nullptr;
        QValueAxis* x = nullptr;
        QValueAxis* y = nullptr;
        QValueAxis* y2 = nullptr;  // right axis
        QHash<QString, QLineSeries*> series;
        QHash<QString, bool> right;
        QHash<QString, double> reference;  // reference curves and their level
        // Running bounds of the left and right axes' values, so that appending stays O(1).
        double low[2] = {INFINITY, INFINITY}, high[2] = {-INFINITY, -INFINITY};
        double last_x = 1;
    };
    Plot& plot_for(const QString& chart);
    void add_series(Plot& plot, const irl::nodes::TrainingCurve& curve);
    void append(Plot& plot, const QString& name, double x, double y);
    // Lays every reference curve of `plot` across its current x range.
    static void span_references(Plot& plot);

    QGridLayout* grid_;
    QLabel* placeholder_;
    QStringList order_;
    QHash<QString, std::shared_ptr<Plot>> plots_;
};

}  // namespace irl::studio
