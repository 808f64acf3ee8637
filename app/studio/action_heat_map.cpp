#include "action_heat_map.h"

#include <QPainter>

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
const QColor kDimText(150, 153, 160);

}  // namespace

ActionHeatMap::ActionHeatMap(QWidget* parent) : QWidget(parent) {
    setObjectName("action-heat-map");
    setMinimumHeight(120);
    setToolTip(tr("Probability of each choice (rows) at each step (columns: the step and the σ it starts from, pure noise on the left)"));
}

void ActionHeatMap::set_tables(const QVector<irl::nodes::ChoiceTable>& tables) {
    tables_ = tables;
    updateGeometry();
    update();
}

QSize ActionHeatMap::sizeHint() const {
    int rows = 0;
    for (const auto& t : tables_) rows += int(t.choices.size());
    return {420, 58 + rows * 22 + static_cast<int>(tables_.size()) * 26};
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
    const int label_width = 90, legend_height = 18, column_labels = 2 * metrics.height() + 2;
    int rows = 0;
    for (const auto& t : tables_) rows += int(t.choices.size());
    const int header = metrics.height() + 4;
    const double available = height() - legend_height - column_labels - 8 - tables_.size() * header;
    const double row_height = std::clamp(available / std::max(1, rows), 8.0, 26.0);
    double y = 4;
    for (const auto& table : tables_) {
        painter.setPen(kText);
        painter.drawText(QRectF(4, y, width() - 8, header), Qt::AlignLeft | Qt::AlignVCenter, table.component);
        y += header;
        const qsizetype levels = table.probabilities.size();
        const double cell = levels == 0 ? 0 : (width() - label_width - 8.0) / double(levels);
        const double table_top = y;
        for (qsizetype c = 0; c < table.choices.size(); ++c) {
            painter.setPen(kText);
            painter.drawText(QRectF(4, y, label_width - 8, row_height), Qt::AlignRight | Qt::AlignVCenter,
                             QString::number(table.choices[c], 'g', 3));
            for (qsizetype l = 0; l < levels; ++l) {
                const double p = table.probabilities[l].value(c);
                const QRectF r(label_width + double(l) * cell, y, cell, row_height);
                if (l < table.active.size() && !table.active[l]) {
                    // The policy does not choose here (outside the action's noise-level range).
                    painter.fillRect(r.adjusted(0.5, 0.5, -0.5, -0.5), QColor(52, 53, 58));
                    if (c + 1 == table.choices.size() && cell > 34) {  // once the column is filled
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
    // Column labels under the last table: the step and the σ it starts from, thinned to fit.
    const auto& last = tables_.last();
    const qsizetype levels = last.probabilities.size();
    if (levels > 0) {
        const double cell = (width() - label_width - 8.0) / double(levels);
        const int every = std::max(1, int(std::ceil(metrics.horizontalAdvance("σ 0.000") / std::max(1.0, cell))));
        painter.setPen(kDimText);
        painter.drawText(QRectF(4, y, label_width - 8, metrics.height()), Qt::AlignRight | Qt::AlignVCenter, tr("step"));
        painter.drawText(QRectF(4, y + metrics.height(), label_width - 8, metrics.height()), Qt::AlignRight | Qt::AlignVCenter, tr("σ"));
        for (qsizetype l = 0; l < levels; l += every) {
            const QRectF r(label_width + double(l) * cell - cell * (every - 1) / 2.0, y, cell * every, metrics.height());
            painter.drawText(r, Qt::AlignCenter, QString::number(l + 1));
            if (l < last.sigmas.size())
                painter.drawText(r.translated(0, metrics.height()), Qt::AlignCenter, QString::number(last.sigmas[l], 'g', 3));
        }
    }
    // Legend: probability 0 .. 1.
    const QRectF legend(label_width, height() - legend_height - 2, std::min(200, width() - label_width - 8), 10);
    for (int i = 0; i < int(legend.width()); ++i)
        painter.fillRect(QRectF(legend.left() + i, legend.top(), 1, legend.height()), ramp(i / legend.width()));
    painter.setPen(kText);
    painter.drawText(QRectF(4, legend.top() - 3, label_width - 8, 16), Qt::AlignRight | Qt::AlignVCenter, tr("p: 0"));
    painter.drawText(QRectF(legend.right() + 4, legend.top() - 3, 200, 16), Qt::AlignLeft | Qt::AlignVCenter, tr("1"));
}

}  // namespace irl::studio
