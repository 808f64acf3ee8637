#include "results_view.h"

#include "irl/nodes/executor.h"

#include <QHeaderView>
#include <QLabel>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace irl::studio {
namespace {

// Quality numbers in the order a reader looks for them, with their short names.
const QVector<QPair<QString, QString>> kQuality{{"fd", "FD"},
                                                {"precision", "precision"},
                                                {"recall", "recall"},
                                                {"class_accuracy", "accuracy"},
                                                {"mean_log_density", "log density"},
                                                {"mmd2", "MMD²"}};

QString number(double v) { return QString::number(v, 'g', 4); }

}  // namespace

ResultsView::ResultsView(QWidget* parent) : QWidget(parent) {
    setObjectName("results-view");
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    heading_ = new QLabel(tr("Run the graph to see what each node measured (an Evaluate node scores samples)."));
    heading_->setWordWrap(true);
    layout->addWidget(heading_);
    table_ = new QTreeWidget;
    table_->setObjectName("results-table");
    table_->setColumnCount(3);
    table_->setHeaderLabels({tr("node"), tr("value"), tr("")});
    table_->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->setRootIsDecorated(true);
    layout->addWidget(table_, 1);
}

QString ResultsView::summary(const QVariantMap& numbers) {
    QStringList parts;
    for (const auto& [key, name] : kQuality)
        if (numbers.contains(key)) parts << QStringLiteral("%1 %2").arg(name, number(numbers.value(key).toDouble()));
    return parts.join(QStringLiteral(" · "));
}

void ResultsView::clear() {
    table_->clear();
    heading_->setText(tr("Run the graph to see what each node measured (an Evaluate node scores samples)."));
}

void ResultsView::set_outcome(const irl::nodes::RunOutcome& outcome) {
    table_->clear();
    for (const QString& id : outcome.order) {
        const irl::nodes::NodeOutcome& n = outcome.nodes.value(id);
        auto* node = new QTreeWidgetItem(table_, {id, irl::nodes::to_string(n.status), QStringLiteral("%1 s").arg(n.seconds, 0, 'f', 2)});
        const QString line = summary(n.numbers);
        if (!line.isEmpty()) node->setText(1, line);
        for (auto it = n.numbers.begin(); it != n.numbers.end(); ++it) new QTreeWidgetItem(node, {it.key(), number(it.value().toDouble())});
        node->setExpanded(!line.isEmpty());
    }
    heading_->setText(outcome.ok ? tr("Last run: %1 s.").arg(outcome.seconds, 0, 'f', 2)
                                 : outcome.cancelled ? tr("Last run: cancelled.") : tr("Last run failed: %1").arg(outcome.error));
}

}  // namespace irl::studio
