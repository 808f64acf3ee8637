// What the last run measured, node by node (FD, precision, recall, class accuracy, function
// evaluations, ...), in a table of the run panel; and the one-line summary a node shows on the canvas.
#pragma once

#include <QVariantMap>
#include <QWidget>

class QLabel;
class QTreeWidget;

namespace irl::nodes {
struct RunOutcome;
}

namespace irl::studio {

class ResultsView : public QWidget {
    Q_OBJECT
public:
    explicit ResultsView(QWidget* parent = nullptr);
    void set_outcome(const irl::nodes::RunOutcome& outcome);
    void clear();
    QTreeWidget* table() const { return table_; }

    // "FD 13.9 · precision 0.86 · recall 0.85": the quality numbers of a node, most telling first;
    // empty when it measured none.
    static QString summary(const QVariantMap& numbers);

private:
    QLabel* heading_;
    QTreeWidget* table_;
};

}  // namespace irl::studio
