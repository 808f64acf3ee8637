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
constexpr int kLabelWidth = 90, kLegendHeight = 18, kMinimumRow = 8;

}  // namespace

const QColor ActionHeatMap::kFixed(52, 53, 58);
const QColor ActionHeatMap::kNotVisited(44, 45, 49);

ActionHeatMap::ActionHeatMap(QWidget* parent) : QWidget(parent) {
    setObjectName("action-heat-map");
    setMinimumHeight(120);
    setToolTip(tr("Probability of each choice (rows) at each step (columns: the step and the σ it starts from, pure noise on the left); "
                  "grey: the action is fixed there, or no trajectory chose there (a step never reached, Start after the first step)"));
}

void ActionHeatMap::set_tables(const QVector<irl::nodes::ChoiceTable>& tables) {
    tables_ = tables;
    // Never so short that the rows, the σ labels and the legend run into each other.
    int rows = 0;
    for (const auto& t : tables_) rows += int(t.choices.size());
    const QFontMetrics metrics(font());
    setMinimumHeight(std::max(120, 12 + int(tables_.size()) * (metrics.height() + 8) + rows * kMinimumRow + 2 * metrics.height() + 2 +
                                       kLegendHeight + 8));
    updateGeometry();
    update();
}

QSize ActionHeatMap::sizeHint() const {
    int rows = 0;
    for (const auto& t : tables_) rows += int(t.choices.size());
    return {420, 58 + rows * 22 + static_cast<int>(tables_.size()) * 26};
}

ActionHeatMap::Layout ActionHeatMap::layout() const {
    Layout l;
    const QFontMetrics metrics(font());
    l.header = metrics.height() + 4;
    l.column_labels = 2 * metrics.height() + 2;
    int rows = 0;
    for (const auto& t : tables_) rows += int(t.choices.size());
    const double available = height() - kLegendHeight - l.column_labels - 12 - tables_.size() * (l.header + 4);
    l.row_height = std::clamp(available / std::max(1, rows), double(kMinimumRow), 26.0);
    double y = 4;
    for (const auto& table : tables_) {
        y += l.header;
        l.table_tops << y;
        y += table.choices.size() * l.row_height + 4;
    }
    l.labels_top = y;
    l.legend = QRectF(kLabelWidth, y + l.column_labels + 4, std::min(200, width() - kLabelWidth - 8), 10);
    return l;
}

QRectF ActionHeatMap::cell_rect(int table, int choice, int step) const {
    const Layout l = layout();
    const qsizetype levels = tables_[table].probabilities.size();
    const double cell = levels == 0 ? 0 : (width() - kLabelWidth - 8.0) / double(levels);
    return QRectF(kLabelWidth + step * cell, l.table_tops[table] + choice * l.row_height, cell, l.row_height);
}

QRectF ActionHeatMap::legend_rect() const { return layout().legend; }
double ActionHeatMap::labels_bottom() const { return layout().labels_top + layout().column_labels; }

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
    const Layout l = layout();
    for (int t = 0; t < tables_.size(); ++t) {
        const auto& table = tables_[t];
        painter.setPen(kText);
        painter.drawText(QRectF(4, l.table_tops[t] - l.header, width() - 8, l.header), Qt::AlignLeft | Qt::AlignVCenter, table.component);
        const qsizetype levels = table.probabilities.size();
        for (int c = 0; c < table.choices.size(); ++c) {
            const QRectF row(4, l.table_tops[t] + c * l.row_height, kLabelWidth - 8, l.row_height);
            painter.setPen(kText);
            painter.drawText(row, Qt::AlignRight | Qt::AlignVCenter, QString::number(table.choices[c], 'g', 3));
            for (int s = 0; s < levels; ++s) {
                const QRectF r = cell_rect(t, c, s);
                const bool fixed = s < table.active.size() && !table.active[s];
                const bool unvisited = !fixed && s < table.visited.size() && !table.visited[s];
                if (fixed || unvisited) {
                    // Not a learned probability: the action is fixed here, or nothing chose here.
                    painter.fillRect(r.adjusted(0.5, 0.5, -0.5, -0.5), fixed ? kFixed : kNotVisited);
                    const QString why = fixed ? tr("fixed") : tr("not chosen");
                    if (c + 1 == table.choices.size() && r.width() > metrics.horizontalAdvance(why) + 4) {  // once the column is filled
                        painter.setPen(QColor(120, 122, 130));
                        const double top = l.table_tops[t];
                        painter.drawText(QRectF(r.left(), top, r.width(), r.bottom() - top), Qt::AlignCenter | Qt::TextWordWrap, why);
                    }
                    continue;
                }
                const double p = table.probabilities[s].value(c);
                painter.fillRect(r.adjusted(0.5, 0.5, -0.5, -0.5), ramp(p));
                if (r.width() > 34 && l.row_height > 14) {
                    painter.setPen(p > 0.6 ? QColor(20, 20, 20) : kText);
                    painter.drawText(r, Qt::AlignCenter, QString::number(p, 'f', 2));
                }
            }
        }
    }
    // Column labels under the last table: the step and the σ it starts from, thinned to fit.
    const auto& last = tables_.last();
    const qsizetype levels = last.probabilities.size();
    const double y = l.labels_top;
    if (levels > 0) {
        const double cell = (width() - kLabelWidth - 8.0) / double(levels);
        const int every = std::max(1, int(std::ceil(metrics.horizontalAdvance("σ 0.000") / std::max(1.0, cell))));
        painter.setPen(kDimText);
        painter.drawText(QRectF(4, y, kLabelWidth - 8, metrics.height()), Qt::AlignRight | Qt::AlignVCenter, tr("step"));
        painter.drawText(QRectF(4, y + metrics.height(), kLabelWidth - 8, metrics.height()), Qt::AlignRight | Qt::AlignVCenter, tr("σ"));
        for (qsizetype s = 0; s < levels; s += every) {
            const QRectF r(kLabelWidth + double(s) * cell - cell * (every - 1) / 2.0, y, cell * every, metrics.height());
            painter.drawText(r, Qt::AlignCenter, QString::number(s + 1));
            if (s < last.sigmas.size())
                painter.drawText(r.translated(0, metrics.height()), Qt::AlignCenter, QString::number(last.sigmas[s], 'g', 3));
        }
    }
    // Legend, below the σ labels: probability 0 .. 1, and what grey means.
    const QRectF legend = l.legend;
    for (int i = 0; i < int(legend.width()); ++i)
        painter.fillRect(QRectF(legend.left() + i, legend.top(), 1, legend.height()), ramp(i / legend.width()));
    painter.setPen(kText);
    painter.drawText(QRectF(4, legend.top() - 3, kLabelWidth - 8, 16), Qt::AlignRight | Qt::AlignVCenter, tr("p: 0"));
    painter.drawText(QRectF(legend.right() + 4, legend.top() - 3, width() - legend.right() - 8, 16), Qt::AlignLeft | Qt::AlignVCenter,
                     tr("1    grey: the action is fixed there, or no trajectory chose there"));
}

}  // namespace irl::studio
