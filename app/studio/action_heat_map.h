// The probability of each choice (rows) at each step (columns, labelled with the step and its σ)
// of a learned policy, per action component, as a colour ramp. Steps where the action is fixed, or
// that no trajectory reached with the action choosing, are grey: they hold no learned probability.
#pragma once

#include "irl/nodes/previews.h"

#include <QColor>
#include <QRectF>
#include <QVector>
#include <QWidget>

namespace irl::studio {

class ActionHeatMap : public QWidget {
    Q_OBJECT
public:
    explicit ActionHeatMap(QWidget* parent = nullptr);
    void set_tables(const QVector<irl::nodes::ChoiceTable>& tables);
    const QVector<irl::nodes::ChoiceTable>& tables() const { return tables_; }
    QSize sizeHint() const override;
    // Where things are drawn at the current size (for tests): one cell, the legend, the bottom of
    // the step and σ labels.
    QRectF cell_rect(int table, int choice, int step) const;
    QRectF legend_rect() const;
    double labels_bottom() const;
    static const QColor kFixed, kNotVisited;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    struct Layout {
        double header = 0, column_labels = 0, row_height = 0, labels_top = 0;
        QVector<double> table_tops;  // the first row of each table
        QRectF legend;
    };
    Layout layout() const;

    QVector<irl::nodes::ChoiceTable> tables_;
};

}  // namespace irl::studio
