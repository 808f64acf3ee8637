// The probability of each choice (rows) at each step (columns, labelled with the step and its σ)
// of a learned policy, per action component, as a colour ramp.
#pragma once

#include "irl/nodes/previews.h"

#include <QWidget>

namespace irl::studio {

class ActionHeatMap : public QWidget {
    Q_OBJECT
public:
    explicit ActionHeatMap(QWidget* parent = nullptr);
    void set_tables(const QVector<irl::nodes::ChoiceTable>& tables);
    const QVector<irl::nodes::ChoiceTable>& tables() const { return tables_; }
    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QVector<irl::nodes::ChoiceTable> tables_;
};

}  // namespace irl::studio
