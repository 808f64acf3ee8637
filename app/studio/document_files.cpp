#include "document_files.h"

#include "graph_document.h"

#include "irl/nodes/graph_file.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMenu>
#include <QMessageBox>
#include <QSaveFile>
#include <QSettings>
#include <QStandardPaths>
#include <QTimer>
#include <QUndoStack>

#include <cerrno>
#include <csignal>
#include <sys/types.h>

namespace irl::studio {
namespace {

constexpr int kMaxRecent = 8;

bool process_alive(qint64 pid) { return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM); }

QString default_autosave_dir() {
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + "/irlstudio/autosave";
}

}  // namespace

DocumentFiles::DocumentFiles(GraphDocument* document, const irl::nodes::NodeRegistry& registry, FileOptions options,
                             QWidget* dialog_parent)
    : QObject(dialog_parent), document_(document), registry_(registry), options_(std::move(options)), dialog_parent_(dialog_parent) {
    if (options_.autosave_dir.isEmpty()) options_.autosave_dir = default_autosave_dir();
    autosave_timer_ = new QTimer(this);
    autosave_timer_->setInterval(options_.autosave_interval_ms);
    connect(autosave_timer_, &QTimer::timeout, this, &DocumentFiles::autosave_now);
    autosave_timer_->start();
}

bool DocumentFiles::openable(const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == "json" || suffix == "irlgraph" || suffix == "png";
}

bool DocumentFiles::modified() const { return !document_->undo_stack()->isClean(); }

void DocumentFiles::warn(const QString& title, const QString& text) {
    Q_EMIT log(text);
    if (options_.ask_before_discarding) QMessageBox::warning(dialog_parent_, title, text);
}

bool DocumentFiles::open_file(const QString& path) {
    const irl::nodes::GraphLoadResult result = irl::nodes::load_graph_file(path, registry_);
    if (!result.graph) {
        warn(tr("Open"), result.summary());
        return false;
    }
    document_->reset(*result.graph);
    // A PNG is not where the graph is saved: saving asks for a graph file.
    path_ = QFileInfo(path).suffix().toLower() == "png" ? QString() : QFileInfo(path).absoluteFilePath();
    if (!path_.isEmpty()) add_recent(path_);
    Q_EMIT log(tr("Opened %1").arg(path));
    if (!result.problems.isEmpty()) Q_EMIT log(result.summary());
    // The graph in the window is not the file any more: saving would write what was read.
    if (result.changed_on_load()) document_->undo_stack()->resetClean();
    Q_EMIT document_replaced();
    if (result.changed_on_load()) Q_EMIT changed_on_load(result.summary());
    Q_EMIT file_changed(path_);
    return true;
}

bool DocumentFiles::save_to(const QString& path) {
    QString error;
    if (!irl::nodes::save_graph_file(document_->graph(), path, &error)) {
        warn(tr("Save"), error);
        return false;
    }
    path_ = QFileInfo(path).absoluteFilePath();
    document_->undo_stack()->setClean();
    add_recent(path_);
    Q_EMIT status_message(tr("Saved %1").arg(path_), 4000);
    Q_EMIT file_changed(path_);
    return true;
}

void DocumentFiles::new_graph() {
    document_->reset(irl::nodes::Graph(&registry_));
    path_.clear();
    Q_EMIT document_replaced();
    Q_EMIT file_changed(path_);
}

bool DocumentFiles::save() { return path_.isEmpty() ? save_as() : save_to(path_); }

bool DocumentFiles::save_as() {
    QString path = QFileDialog::getSaveFileName(dialog_parent_, tr("Save graph"), path_.isEmpty() ? QStringLiteral("untitled.irlgraph") : path_,
                                                tr("Graphs (*.irlgraph *.json)"));
    if (path.isEmpty()) return false;
    if (QFileInfo(path).suffix().isEmpty()) path += ".irlgraph";
    return save_to(path);
}

void DocumentFiles::open_dialog() {
    if (!maybe_save()) return;
    const QString path = QFileDialog::getOpenFileName(dialog_parent_, tr("Open graph"), QFileInfo(path_).absolutePath(),
                                                      tr("Graphs and images with a graph (*.irlgraph *.json *.png);;All files (*)"));
    if (!path.isEmpty()) open_file(path);
}

bool DocumentFiles::maybe_save() {
    if (!modified() || !options_.ask_before_discarding) return true;
    const auto answer = QMessageBox::question(dialog_parent_, tr("Unsaved changes"), tr("The graph has unsaved changes. Save them first?"),
                                              QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save) return save();
    return answer == QMessageBox::Discard;
}

void DocumentFiles::set_recent_menu(QMenu* menu) {
    recent_menu_ = menu;
    rebuild_recent_menu();
}

void DocumentFiles::add_recent(const QString& path) {
    QSettings settings;
    QStringList recent = settings.value("recent-files").toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent) recent.removeLast();
    settings.setValue("recent-files", recent);
    rebuild_recent_menu();
}

void DocumentFiles::rebuild_recent_menu() {
    if (!recent_menu_) return;
    recent_menu_->clear();
    const QStringList recent = QSettings().value("recent-files").toStringList();
    for (const QString& path : recent) {
        QAction* a = recent_menu_->addAction(QFileInfo(path).fileName(), this, [this, path] {
            if (maybe_save()) open_file(path);
        });
        a->setToolTip(path);
        a->setEnabled(QFileInfo::exists(path));
    }
    recent_menu_->setEnabled(!recent.isEmpty());
}

// ---- autosave ----

QString DocumentFiles::autosave_file() const {
    return QDir(options_.autosave_dir).filePath(QStringLiteral("session-%1.irlgraph").arg(QCoreApplication::applicationPid()));
}

void DocumentFiles::remove_autosave() { QFile::remove(autosave_file()); }

void DocumentFiles::autosave_now() {
    const int index = document_->undo_stack()->index();
    if (!modified()) {
        QFile::remove(autosave_file());
        autosaved_index_ = index;
        return;
    }
    if (index == autosaved_index_ && QFileInfo::exists(autosave_file())) return;
    QDir().mkpath(options_.autosave_dir);
    // The graph, plus where it was saved, so that a restore can offer the same file name.
    QJsonObject wrapper = QJsonDocument::fromJson(irl::nodes::write_graph(document_->graph())).object();
    wrapper.insert("autosave_of", path_);
    QSaveFile file(autosave_file());
    if (file.open(QIODevice::WriteOnly) && file.write(QJsonDocument(wrapper).toJson()) >= 0 && file.commit()) autosaved_index_ = index;
}

QString DocumentFiles::pending_recovery(const QString& autosave_dir) {
    const QString folder = autosave_dir.isEmpty() ? default_autosave_dir() : autosave_dir;
    QString newest;
    QDateTime newest_time;
    for (const QFileInfo& info : QDir(folder).entryInfoList({"session-*.irlgraph"}, QDir::Files)) {
        const qint64 pid = info.completeBaseName().mid(QStringLiteral("session-").size()).toLongLong();
        if (pid == QCoreApplication::applicationPid() || process_alive(pid)) continue;  // another studio is still running
        if (newest.isEmpty() || info.lastModified() > newest_time) {
            newest = info.absoluteFilePath();
            newest_time = info.lastModified();
        }
    }
    return newest;
}

QString DocumentFiles::default_history_dir() {
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + "/irlstudio/history";
}

bool DocumentFiles::restore_graph(const QString& graph_file, const QString& source) {
    const irl::nodes::GraphLoadResult result = irl::nodes::load_graph_file(graph_file, registry_);
    if (!result.graph) {
        warn(tr("Restore"), result.summary());
        return false;
    }
    document_->reset(*result.graph);
    path_ = source;
    document_->undo_stack()->resetClean();  // not saved anywhere yet
    Q_EMIT document_replaced();
    Q_EMIT file_changed(path_);
    return true;
}

bool DocumentFiles::restore_from(const QString& autosave) {
    const irl::nodes::GraphLoadResult result = irl::nodes::load_graph_file(autosave, registry_);
    if (!result.graph) {
        // Damaged, or written for node packs that are gone or newer: kept under a name that is
        // never offered again, and that File > Open still opens once what is named is fixed.
        const QFileInfo info(autosave);
        const QString kept = info.dir().filePath(QStringLiteral("unrestored-") + info.fileName());
        QFile::remove(kept);
        const bool renamed = QFile::rename(autosave, kept);
        Q_EMIT log(tr("The autosaved graph could not be restored, so the studio starts without it: %1 %2")
                       .arg(result.summary(), renamed ? tr("The file is kept as %1; open it with File > Open once that is fixed.")
                                                            .arg(QDir::toNativeSeparators(kept))
                                                      : tr("It could not be renamed and stays where it is.")));
        return false;
    }
    QFile file(autosave);
    const QString original =
        file.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(file.readAll()).object().value("autosave_of").toString() : QString();
    document_->reset(*result.graph);
    path_ = original;
    // The restored graph is not saved anywhere yet: mark it modified by moving off the clean index.
    document_->undo_stack()->resetClean();
    Q_EMIT document_replaced();
    Q_EMIT log(tr("Restored the graph autosaved before the studio closed unexpectedly%1.")
                   .arg(original.isEmpty() ? QString() : tr(" (it was %1)").arg(original)));
    // Older autosaves of crashed sessions are done with.
    QFile::remove(autosave);
    for (QString other = pending_recovery(options_.autosave_dir); !other.isEmpty(); other = pending_recovery(options_.autosave_dir))
        QFile::remove(other);
    Q_EMIT file_changed(path_);
    return true;
}

}  // namespace irl::studio
