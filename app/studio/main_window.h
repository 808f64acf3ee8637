// The studio window: the node canvas in the middle, the inspector on the right, the live
// preview, the training view and the log below, the actions, menus and toolbar. Files and
// autosave are DocumentFiles' work, runs and trainings RunController's; this class wires them.
#pragma once

#include "document_files.h"

#include "irl/nodes/graph.h"

#include <QHash>
#include <QMainWindow>

#include <optional>

class QAction;
class QFrame;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QTabWidget;

namespace irl::nodes {
class GraphRunner;
class NodePacks;
}  // namespace irl::nodes

namespace irl::studio {

class GraphDocument;
class Inspector;
class NodePalette;
class NodeScene;
class NodeView;
class ComparisonView;
class HistoryPanel;
class PreviewPanel;
class ResultsView;
class RunController;
class RunHistory;
class TrainingView;

using MainWindowOptions = FileOptions;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    MainWindow(const irl::nodes::NodePacks& packs, MainWindowOptions options = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Files. Each returns false with a message box (or, without prompts, a log line) on failure.
    bool open_file(const QString& path);
    bool save_to(const QString& path);
    void new_graph();
    QString file_path() const;
    bool modified() const;

    // Running.
    bool run(const QStringList& targets = {});
    void cancel();
    bool running() const;
    QString output_dir() const;

    // Autosave: what a crashed session left behind (empty when nothing), and restoring it.
    static QString pending_recovery(const QString& autosave_dir) { return DocumentFiles::pending_recovery(autosave_dir); }
    bool restore_from(const QString& autosave_file);
    void autosave_now();
    QString autosave_file() const;

    GraphDocument* document() const { return document_; }
    DocumentFiles* files() const { return files_; }
    RunController* runs() const { return runs_; }
    NodeScene* scene() const { return scene_; }
    NodeView* view() const { return view_; }
    NodePalette* palette() const { return palette_; }
    Inspector* inspector() const { return inspector_; }
    PreviewPanel* preview_panel() const { return preview_; }
    TrainingView* training_view() const { return training_; }
    ResultsView* results_view() const { return results_; }
    RunHistory* history() const { return history_; }
    HistoryPanel* history_panel() const { return history_panel_; }
    ComparisonView* comparison_view() const { return comparison_; }
    QListWidget* queue_list() const { return queue_; }
    // Puts the graph of a history entry on the canvas (unsaved), warning when a file it read has changed since.
    bool restore_run(const QString& id);
    void compare_runs(const QString& first, const QString& second);
    irl::nodes::GraphRunner* runner() const;
    QProgressBar* progress_bar() const { return progress_; }
    QAction* action(const QString& name) const;  // "run", "cancel", "undo", "redo", "save", ...
    // The banner above the canvas that says what opening the file changed (empty when hidden).
    QString load_banner_text() const;
    void show_training_tab();
    void show_preview_tab();
    void show_tab(const QString& title);  // a tab of the run panel by its title

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
    void connect_parts();
    void update_title();
    void update_run_actions();
    void update_trainers();
    void log(const QString& text);
    void show_load_banner(const QString& problems);
    void show_banner(const QString& text);
    void update_queue();
    void request_palette(const QPointF& scene_position, const std::optional<irl::nodes::PortRef>& from, const QString& type,
                         bool from_output);
    void add_from_palette(const QString& type);

    const irl::nodes::NodePacks& packs_;
    GraphDocument* document_;
    DocumentFiles* files_;
    NodeScene* scene_;
    NodeView* view_;
    NodePalette* palette_;
    Inspector* inspector_;
    PreviewPanel* preview_;
    TrainingView* training_;
    ResultsView* results_;
    RunHistory* history_;
    HistoryPanel* history_panel_;
    ComparisonView* comparison_;
    QListWidget* queue_;
    RunController* runs_ = nullptr;
    QPlainTextEdit* log_;
    QTabWidget* tabs_;
    QProgressBar* progress_;
    QLabel* status_label_;
    QFrame* banner_;
    QLabel* banner_text_;
    QHash<QString, QAction*> actions_;
    // Where a palette opened by a dropped link should connect the new node.
    QPointF palette_position_;
    std::optional<irl::nodes::PortRef> palette_from_;
    bool palette_from_output_ = false;
    bool fit_pending_ = true;  // fit the graph once the canvas has its real size
};

}  // namespace irl::studio
