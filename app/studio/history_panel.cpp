#include "history_panel.h"
#include "theme.h"

#include "run_history.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace irl::studio {
namespace {

constexpr int kThumbnail = 96;
constexpr int kIdRole = Qt::UserRole + 1;

}  // namespace

HistoryPanel::HistoryPanel(RunHistory* history, QWidget* parent) : QWidget(parent), history_(history) {
    setObjectName("history-panel");
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    list_ = new QListWidget;
    list_->setObjectName("history-list");
    list_->setViewMode(QListView::IconMode);
    list_->setIconSize(QSize(kThumbnail, kThumbnail));
    // Room under each thumbnail for the time, the key settings and the scores.
    list_->setGridSize(QSize(kThumbnail + 84, kThumbnail + 76));
    list_->setResizeMode(QListView::Adjust);
    list_->setMovement(QListView::Static);
    list_->setWordWrap(true);
    list_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    list_->setToolTip(tr("Every run, newest first. Click: show it; double-click: restore its graph; select two: compare them."));
    layout->addWidget(list_, 3);

    auto* side = new QVBoxLayout;
    picture_ = new QLabel(tr("Runs appear here as they finish."));
    picture_->setObjectName("history-picture");
    picture_->setAlignment(Qt::AlignCenter);
    picture_->setMinimumSize(200, 200);
    picture_->setWordWrap(true);
    // The picture is scaled to the room it has, never the other way round (it would crop).
    picture_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Ignored);
    picture_->setStyleSheet(picture_box_style());
    details_ = new QLabel;
    details_->setObjectName("history-details");
    details_->setWordWrap(true);
    details_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* buttons = new QHBoxLayout;
    restore_ = new QPushButton(tr("Restore graph"));
    restore_->setObjectName("history-restore");
    restore_->setToolTip(tr("Replace the canvas with the graph this run ran (also: double-click)"));
    compare_ = new QPushButton(tr("Compare"));
    compare_->setObjectName("history-compare");
    compare_->setToolTip(tr("Show the two selected runs side by side"));
    remove_ = new QPushButton(tr("Remove"));
    remove_->setObjectName("history-remove");
    for (QPushButton* b : {restore_, compare_, remove_}) buttons->addWidget(b);
    side->addWidget(picture_, 1);
    side->addWidget(details_);
    side->addLayout(buttons);
    layout->addLayout(side, 2);

    connect(history_, &RunHistory::changed, this, &HistoryPanel::rebuild);
    connect(list_, &QListWidget::itemSelectionChanged, this, [this] {
        const QStringList ids = selected();
        restore_->setEnabled(ids.size() == 1);
        compare_->setEnabled(ids.size() == 2);
        remove_->setEnabled(!ids.isEmpty());
        show_entry(ids.size() == 1 ? history_->find(ids.first()) : nullptr);
    });
    connect(list_, &QListWidget::itemDoubleClicked, this, [this](QListWidgetItem* item) {
        Q_EMIT restore_requested(item->data(kIdRole).toString());
    });
    connect(restore_, &QPushButton::clicked, this, [this] {
        if (selected().size() == 1) Q_EMIT restore_requested(selected().first());
    });
    connect(compare_, &QPushButton::clicked, this, [this] {
        const QStringList ids = selected();
        if (ids.size() == 2) Q_EMIT compare_requested(ids[0], ids[1]);
    });
    connect(remove_, &QPushButton::clicked, this, [this] {
        for (const QString& id : selected()) history_->remove(id);
    });
    rebuild();
}

void HistoryPanel::rebuild() {
    const QStringList keep = selected();
    const QSignalBlocker block(list_);
    list_->clear();
    for (const HistoryEntry& e : history_->entries()) {
        const QImage picture = e.picture();
        QPixmap icon(kThumbnail, kThumbnail);
        icon.fill(theme_colours().picture_background);
        if (!picture.isNull()) icon = QPixmap::fromImage(picture.scaled(kThumbnail, kThumbnail, Qt::KeepAspectRatio, Qt::SmoothTransformation));
        // Under the thumbnail: when, the key settings, and the scores where it has any.
        QString text = e.time.toString("HH:mm:ss") + (e.status == "done" ? QString() : " · " + e.status);
        if (!e.settings.isEmpty()) text += "\n" + e.settings;
        if (!e.summary.isEmpty()) text += "\n" + e.summary;
        auto* item = new QListWidgetItem(QIcon(icon), text);
        item->setData(kIdRole, e.id);
        item->setToolTip(e.time.toString("yyyy-MM-dd HH:mm:ss") + "\n" + (e.settings.isEmpty() ? QString() : e.settings + "\n") +
                         (e.summary.isEmpty() ? tr("no scores") : e.summary));
        list_->addItem(item);
    }
    select(keep);
    restore_->setEnabled(selected().size() == 1);
    compare_->setEnabled(selected().size() == 2);
    remove_->setEnabled(!selected().isEmpty());
}

QStringList HistoryPanel::selected() const {
    QStringList ids;
    for (int i = 0; i < list_->count(); ++i)
        if (list_->item(i)->isSelected()) ids << list_->item(i)->data(kIdRole).toString();
    return ids;
}

void HistoryPanel::select(const QStringList& ids) {
    for (int i = 0; i < list_->count(); ++i) list_->item(i)->setSelected(ids.contains(list_->item(i)->data(kIdRole).toString()));
    if (ids.size() == 1) show_entry(history_->find(ids.first()));
}

void HistoryPanel::show_entry(const HistoryEntry* entry) {
    if (!entry) {
        picture_->setPixmap(QPixmap());
        picture_->setText(history_->entries().isEmpty() ? tr("Runs appear here as they finish.") : tr("Select a run to see it."));
        details_->clear();
        return;
    }
    const QImage picture = entry->picture();
    if (picture.isNull()) {
        picture_->setPixmap(QPixmap());
        picture_->setText(tr("This run showed no samples."));
    } else {
        const QSize room = picture_->contentsRect().size().expandedTo(QSize(200, 200));
        const bool grid = picture.width() < 400;
        picture_->setPixmap(QPixmap::fromImage(picture.scaled(room, Qt::KeepAspectRatio, grid ? Qt::FastTransformation : Qt::SmoothTransformation)));
    }
    QStringList seeds;
    for (auto it = entry->seeds.begin(); it != entry->seeds.end(); ++it) seeds << it.key() + " = " + it.value().toString();
    details_->setText(tr("%1 · %2 · %3 s\n%4\n%5\nseeds: %6\n%7")
                          .arg(entry->time.toString("yyyy-MM-dd HH:mm:ss"), entry->status)
                          .arg(entry->seconds, 0, 'f', 1)
                          .arg(entry->settings.isEmpty() ? tr("no sampler") : entry->settings,
                               entry->summary.isEmpty() ? tr("no scores") : entry->summary, seeds.isEmpty() ? tr("none") : seeds.join(", "),
                               entry->source.isEmpty() ? tr("from an unsaved graph") : tr("from %1").arg(entry->source)));
}

QString HistoryPanel::details_text() const { return details_->text(); }

}  // namespace irl::studio
