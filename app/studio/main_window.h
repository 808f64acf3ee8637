// The studio window: the node canvas in the middle, the inspector on the right, the live
// preview, the training view and the log below. Runs go to the engine thread through a
// GraphRunner; every edit goes through the document's undo stack. Files: new, open (graph
// files and PNGs that embed a graph, also by drag and drop), save, recent files, an
// unsaved-changes prompt, autosave and restore after a crash.
#pragma once

#include "irl/nodes/graph.h"

#include <QMainWindow>

#include <optional>

class QAction;
class QLabel;
class QMenu;
class QPlainTextEdit;
class QProgressBar;
class QTabWidget;
class QTimer;

namespace irl::nodes {
class GraphRunner;
class NodePacks;
struct NodePreview;
struct RunOutcome;
}  // namespace irl::nodes

namespace irl::studio {

class GraphDocument;
class Inspector;
class NodePalette;
class NodeScene;
class NodeView;
class PreviewPanel;
class TrainingView;

struct MainWindowOptions {
    QString autosave_dir;        // empty: <app data>/autosave
    int autosave_interval_ms = 20000;
    bool ask_before_discarding = true;  // false in tests and scripts: unsaved changes are dropped silently
};

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    MainWindow(const irl::nodes::NodePacks& packs, MainWindowOptions options = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Files. Each returns false with a message box (or, without prompts, a log line) on failure.
    bool open_file(const QString& path);
    bool save_to(const QString& path);
    void new_graph();
    QString file_path() const { return path_; }
    bool modified() const;

    // Running.
    bool run(const QStringList& targets = {});
    void cancel();
    bool running() const;
    QString output_dir() const;

    // Autosave: what a crashed session left behind (empty when nothing), and restoring it.
    static QString pending_recovery(const QString& autosave_dir);
    bool restore_from(const QString& autosave_file);
    void autosave_now();
    QString autosave_file() const;

    GraphDocument* document() const { return document_; }
    NodeScene* scene() const { return scene_; }
    NodeView* view() const { return view_; }
    NodePalette* palette() const { return palette_; }
    Inspector* inspector() const { return inspector_; }
    PreviewPanel* preview_panel() const { return preview_; }
    TrainingView* training_view() const { return training_; }
    irl::nodes::GraphRunner* runner() const { return runner_; }
    QProgressBar* progress_bar() const { return progress_; }
    QAction* action(const QString& name) const;  // "run", "cancel", "undo", "redo", "save", ...
    void show_training_tab();
    void show_preview_tab();

Q_SIGNALS:
    void run_finished(bool ok, bool cancelled);
    void file_changed(const QString& path);

protected:
    void closeEvent(QCloseEvent* event) override;
    void showEvent(QShowEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void fit_when_shown();
    void build_actions();
    void build_menus();
    void build_docks();
    void update_title();
    void update_run_actions();
    void update_trainers();
    void add_recent(const QString& path);
    void rebuild_recent_menu();
    bool maybe_save();
    bool save();
    bool save_as();
    void open_dialog();
    void log(const QString& text);
    void request_palette(const QPointF& scene_position, const std::optional<irl::nodes::PortRef>& from, int type, bool from_output);
    void add_from_palette(const QString& type);
    void on_status(const QString& node, int status, const QString& message);
    void on_progress(const QString& node, double fraction);
    void on_preview(const irl::nodes::NodePreview& preview);
    void on_finished(const irl::nodes::RunOutcome& outcome);
    void start_training(const QString& trainer);
    void use_trained_policy(const QString& trainer);
    std::optional<irl::nodes::Graph> read_any(const QString& path, QString* error);

    const irl::nodes::NodePacks& packs_;
    MainWindowOptions options_;
    GraphDocument* document_;
    NodeScene* scene_;
    NodeView* view_;
    NodePalette* palette_;
    Inspector* inspector_;
    PreviewPanel* preview_;
    TrainingView* training_;
    QPlainTextEdit* log_;
    QTabWidget* tabs_;
    QProgressBar* progress_;
    QLabel* status_label_;
    irl::nodes::GraphRunner* runner_;
    QTimer* autosave_timer_;
    QMenu* recent_menu_ = nullptr;
    QHash<QString, QAction*> actions_;
    QString path_;
    QString training_node_;  // the trainer of the run in progress, if it is a training run
    // Where a palette opened by a dropped link should connect the new node.
    QPointF palette_position_;
    std::optional<irl::nodes::PortRef> palette_from_;
    bool palette_from_output_ = false;
    int autosaved_index_ = -1;
    bool fit_pending_ = true;  // fit the graph once the canvas has its real size
};

}  // namespace irl::studio
