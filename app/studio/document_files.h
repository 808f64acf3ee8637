// The document's files: new, open (graph files and PNGs that embed a graph), save, save as, the
// recent-files menu, the unsaved-changes prompt, and the autosave that a crashed session leaves
// for the next start to restore.
#pragma once

#include <QObject>
#include <QString>

class QMenu;
class QTimer;
class QWidget;

namespace irl::nodes {
class NodeRegistry;
}

namespace irl::studio {

class GraphDocument;

struct FileOptions {
    QString autosave_dir;        // empty: <app data>/autosave
    QString history_dir;         // empty: <app data>/history, beside the autosave
    int autosave_interval_ms = 20000;
    bool ask_before_discarding = true;  // false in tests and scripts: no dialogs, problems go to the log
};

class DocumentFiles : public QObject {
    Q_OBJECT
public:
    DocumentFiles(GraphDocument* document, const irl::nodes::NodeRegistry& registry, FileOptions options, QWidget* dialog_parent);

    // Each returns false after telling the user (a dialog, or a log line without prompts).
    bool open_file(const QString& path);
    bool save_to(const QString& path);
    bool save();
    bool save_as();
    void new_graph();
    void open_dialog();
    // Asks what to do with unsaved changes; false when the user cancels.
    bool maybe_save();

    QString path() const { return path_; }
    bool modified() const;
    static bool openable(const QString& path);

    void set_recent_menu(QMenu* menu);

    // Puts a graph kept elsewhere (a run of the history) on the canvas, unsaved, as if opened
    // from `source` (the file it was run from; empty: untitled).
    bool restore_graph(const QString& graph_file, const QString& source);

    static QString pending_recovery(const QString& autosave_dir);
    static QString default_history_dir();
    bool restore_from(const QString& autosave_file);
    void autosave_now();
    QString autosave_file() const;
    // A clean exit leaves no autosave behind.
    void remove_autosave();

Q_SIGNALS:
    // A graph replaced the document (opened, restored or new): views reset, the canvas fits.
    void document_replaced();
    void file_changed(const QString& path);
    // Opening changed what the file holds (parameters dropped or migrated): `problems` lists them
    // by place, and the document is marked modified.
    void changed_on_load(const QString& problems);
    void log(const QString& text);
    void status_message(const QString& text, int milliseconds);

private:
    void add_recent(const QString& path);
    void rebuild_recent_menu();
    void warn(const QString& title, const QString& text);

    GraphDocument* document_;
    const irl::nodes::NodeRegistry& registry_;
    FileOptions options_;
    QWidget* dialog_parent_;
    QMenu* recent_menu_ = nullptr;
    QTimer* autosave_timer_;
    QString path_;
    int autosaved_index_ = -1;
};

}  // namespace irl::studio
