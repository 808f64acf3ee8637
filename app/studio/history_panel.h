// The run history as an artist browses it: a thumbnail per run (newest first) with its time,
// status and scores; a click shows the run's samples and what it measured, a double-click
// restores its graph, two selected runs open side by side.
#pragma once

#include <QWidget>

class QLabel;
class QListWidget;
class QPushButton;

namespace irl::studio {

class RunHistory;
struct HistoryEntry;

class HistoryPanel : public QWidget {
    Q_OBJECT
public:
    HistoryPanel(RunHistory* history, QWidget* parent = nullptr);
    QListWidget* list() const { return list_; }
    // The selected entries' ids, in list order.
    QStringList selected() const;
    void select(const QStringList& ids);
    QString details_text() const;

Q_SIGNALS:
    void restore_requested(const QString& id);
    void compare_requested(const QString& first, const QString& second);

private:
    void rebuild();
    void show_entry(const HistoryEntry* entry);

    RunHistory* history_;
    QListWidget* list_;
    QLabel* picture_;
    QLabel* details_;
    QPushButton* restore_;
    QPushButton* compare_;
    QPushButton* remove_;
};

}  // namespace irl::studio
