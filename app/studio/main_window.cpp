#include "main_window.h"

#include "graph_document.h"
#include "inspector.h"
#include "node_palette.h"
#include "node_scene.h"
#include "node_view.h"
#include "preview_panel.h"
#include "run_controller.h"
#include "training_view.h"

#include "irl/nodes/graph_runner.h"
#include "irl/nodes/plugin_loader.h"

#include <QAction>
#include <QCloseEvent>
#include <QDateTime>
#include <QDockWidget>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QScrollArea>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>
#include <QUndoStack>

namespace irl::studio {

MainWindow::MainWindow(const irl::nodes::NodePacks& packs, MainWindowOptions options, QWidget* parent)
    : QMainWindow(parent), packs_(packs) {
    setObjectName("main-window");
    setAcceptDrops(true);
    document_ = new GraphDocument(packs_.registry(), this);
    files_ = new DocumentFiles(document_, packs_.registry(), std::move(options), this);
    scene_ = new NodeScene(document_, this);
    view_ = new NodeView(scene_, this);
    view_->setAcceptDrops(false);  // files dropped on the canvas go to the window
    setCentralWidget(view_);
    palette_ = new NodePalette(packs_.registry(), this);

    progress_ = new QProgressBar;
    progress_->setObjectName("run-progress");
    progress_->setMaximumWidth(320);
    progress_->setRange(0, 1000);
    progress_->setValue(0);
    progress_->setFormat(tr("idle"));
    progress_->setTextVisible(true);
    status_label_ = new QLabel;
    statusBar()->addWidget(status_label_, 1);
    statusBar()->addPermanentWidget(progress_);

    build_docks();
    runs_ = new RunController(packs_, {document_, scene_, preview_, training_, progress_}, [this] { return files_->path(); }, this);
    build_actions();
    build_menus();
    connect_parts();

    for (const QString& warning : packs_.warnings()) log(tr("Node packs: %1").arg(warning));
    update_title();
    update_run_actions();
    resize(1600, 1000);
}

MainWindow::~MainWindow() {
    // The document and its undo stack die with the window's children, after this object has
    // stopped being a MainWindow: their last signals must not reach it.
    disconnect(document_->undo_stack(), nullptr, this, nullptr);
    disconnect(document_, nullptr, this, nullptr);
    files_->remove_autosave();  // a clean exit leaves no autosave behind (a crash does)
}

void MainWindow::connect_parts() {
    connect(document_->undo_stack(), &QUndoStack::cleanChanged, this, [this] { update_title(); });
    connect(document_->undo_stack(), &QUndoStack::indexChanged, this, [this] { update_title(); });
    connect(document_, &GraphDocument::changed, this, [this] { update_trainers(); });
    connect(document_, &GraphDocument::reset_done, this, [this] {
        update_trainers();
        scene_->clear_statuses();
        inspector_->show_node({});
    });
    connect(files_, &DocumentFiles::document_replaced, this, [this] {
        preview_->clear();
        training_->clear();
        update_title();
        fit_when_shown();
    });
    connect(files_, &DocumentFiles::file_changed, this, [this](const QString& path) {
        update_title();
        Q_EMIT file_changed(path);
    });
    connect(files_, &DocumentFiles::log, this, &MainWindow::log);
    connect(files_, &DocumentFiles::status_message, this, [this](const QString& text, int ms) { statusBar()->showMessage(text, ms); });

    connect(scene_, &NodeScene::selected_nodes_changed, this, [this](const QStringList& ids) {
        inspector_->show_node(ids.size() == 1 ? ids.first() : QString());
        if (ids.size() == 1 && runs_->is_trainer(ids.first())) training_->select_trainer(ids.first());
    });
    connect(scene_, &NodeScene::palette_requested, this, &MainWindow::request_palette);
    connect(scene_, &NodeScene::message, this, [this](const QString& text) { statusBar()->showMessage(text, 6000); });
    connect(palette_, &NodePalette::type_chosen, this, &MainWindow::add_from_palette);

    connect(runs_, &RunController::run_started, this, &MainWindow::update_run_actions);
    connect(runs_, &RunController::run_finished, this, [this](bool ok, bool cancelled) {
        update_run_actions();
        Q_EMIT run_finished(ok, cancelled);
    });
    connect(runs_, &RunController::log, this, &MainWindow::log);
    connect(runs_, &RunController::status_message, this, [this](const QString& text, int ms) { statusBar()->showMessage(text, ms); });

    connect(training_, &TrainingView::start_requested, this, [this](const QString& trainer) {
        runs_->start_training(trainer);
        if (runs_->running()) show_training_tab();
    });
    connect(training_, &TrainingView::pause_requested, this, [this](bool paused) {
        runner()->set_training_paused(paused);
        training_->set_paused(paused);
        log(paused ? tr("Training paused.") : tr("Training resumed."));
    });
    connect(training_, &TrainingView::stop_requested, this, [this] {
        runner()->stop_training();
        training_->set_paused(false);
        runner()->set_training_paused(false);
        log(tr("Stopping training after this iteration; what was learned so far is kept."));
    });
    connect(training_, &TrainingView::checkpoint_requested, this, [this] {
        runner()->request_checkpoint();
        log(tr("A checkpoint will be written at the next iteration."));
    });
    connect(training_, &TrainingView::use_result_requested, runs_, &RunController::use_output_of);
}

void MainWindow::build_docks() {
    inspector_ = new Inspector(document_, this);
    auto* inspector_dock = new QDockWidget(tr("Inspector"), this);
    inspector_dock->setObjectName("inspector-dock");
    // Long parameter lists (the IRL Trainer's) scroll instead of growing the window.
    auto* inspector_scroll = new QScrollArea;
    inspector_scroll->setWidget(inspector_);
    inspector_scroll->setWidgetResizable(true);
    inspector_scroll->setFrameShape(QFrame::NoFrame);
    inspector_dock->setWidget(inspector_scroll);
    inspector_dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    addDockWidget(Qt::RightDockWidgetArea, inspector_dock);

    preview_ = new PreviewPanel(this);
    training_ = new TrainingView(this);
    log_ = new QPlainTextEdit(this);
    log_->setObjectName("log");
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(2000);
    tabs_ = new QTabWidget(this);
    tabs_->setObjectName("bottom-tabs");
    tabs_->addTab(preview_, tr("Preview"));
    tabs_->addTab(training_, tr("Training"));
    tabs_->addTab(log_, tr("Log"));
    auto* bottom = new QDockWidget(tr("Run"), this);
    bottom->setObjectName("run-dock");
    bottom->setWidget(tabs_);
    bottom->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    addDockWidget(Qt::BottomDockWidgetArea, bottom);
    resizeDocks({inspector_dock}, {330}, Qt::Horizontal);
    resizeDocks({bottom}, {400}, Qt::Vertical);
}

void MainWindow::build_actions() {
    auto make = [this](const QString& name, const QString& text, const QList<QKeySequence>& keys, auto slot, const QString& tip = {}) {
        auto* a = new QAction(text, this);
        a->setObjectName("action-" + name);
        a->setShortcuts(keys);
        a->setToolTip(tip.isEmpty() ? text : tip);
        connect(a, &QAction::triggered, this, slot);
        actions_.insert(name, a);
        addAction(a);
        return a;
    };
    make("new", tr("&New"), {QKeySequence::New}, [this] { if (files_->maybe_save()) new_graph(); });
    make("open", tr("&Open…"), {QKeySequence::Open}, [this] { files_->open_dialog(); });
    make("save", tr("&Save"), {QKeySequence::Save}, [this] { files_->save(); });
    make("save-as", tr("Save &As…"), {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S)}, [this] { files_->save_as(); });
    make("quit", tr("&Quit"), {QKeySequence::Quit}, [this] { close(); });
    QAction* undo = document_->undo_stack()->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    undo->setObjectName("action-undo");
    actions_.insert("undo", undo);
    addAction(undo);
    QAction* redo = document_->undo_stack()->createRedoAction(this, tr("&Redo"));
    // Spelled out: QKeySequence::Redo is Ctrl+Shift+Z on Linux, and the same key twice in one
    // action makes Qt drop both as ambiguous.
    redo->setShortcuts({QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
    redo->setObjectName("action-redo");
    actions_.insert("redo", redo);
    addAction(redo);
    make("copy", tr("&Copy"), {QKeySequence::Copy}, [this] { scene_->copy_selection(); });
    make("paste", tr("&Paste"), {QKeySequence::Paste}, [this] { scene_->paste_clipboard(view_->mapToScene(view_->viewport()->rect().center())); });
    make("duplicate", tr("D&uplicate"), {QKeySequence(Qt::CTRL | Qt::Key_D)}, [this] { scene_->duplicate_selection(); });
    make("delete", tr("&Delete"), {QKeySequence::Delete}, [this] { scene_->delete_selection(); });
    make("select-all", tr("Select &All"), {QKeySequence::SelectAll}, [this] {
        QStringList ids;
        for (const auto& n : document_->graph().nodes()) ids << n.id;
        scene_->select_nodes(ids);
    });
    make("add-node", tr("Add &Node…"), {QKeySequence(Qt::SHIFT | Qt::Key_A)}, [this] {
        request_palette(view_->mapToScene(view_->viewport()->rect().center()), std::nullopt, QString(), false);
    }, tr("Add a node (also: double-click the canvas)"));
    make("fit", tr("&Fit Graph"), {QKeySequence(Qt::Key_F)}, [this] { view_->fit_all(); });
    make("zoom-in", tr("Zoom &In"), {QKeySequence::ZoomIn}, [this] { view_->zoom_by(1.25); });
    make("zoom-out", tr("Zoom &Out"), {QKeySequence::ZoomOut}, [this] { view_->zoom_by(0.8); });
    make("run", tr("&Run"), {QKeySequence(Qt::CTRL | Qt::Key_Return)}, [this] { run(); }, tr("Run the graph (Ctrl+Return)"));
    make("cancel", tr("&Cancel"), {QKeySequence(Qt::Key_Escape)}, [this] { cancel(); }, tr("Cancel the run (Esc)"));
    // Shortcuts that clash with text fields (Delete, Esc, F) only fire when the canvas has focus.
    for (const char* name : {"delete", "fit", "copy", "paste", "duplicate", "select-all"}) {
        actions_.value(name)->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        removeAction(actions_.value(name));  // not while typing in the inspector
        view_->addAction(actions_.value(name));
    }
}

void MainWindow::build_menus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(actions_.value("new"));
    file->addAction(actions_.value("open"));
    QMenu* recent = file->addMenu(tr("Open &Recent"));
    recent->setObjectName("recent-menu");
    files_->set_recent_menu(recent);
    file->addSeparator();
    file->addAction(actions_.value("save"));
    file->addAction(actions_.value("save-as"));
    file->addSeparator();
    file->addAction(actions_.value("quit"));
    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    for (const char* name : {"undo", "redo"}) edit->addAction(actions_.value(name));
    edit->addSeparator();
    for (const char* name : {"copy", "paste", "duplicate", "delete", "select-all"}) edit->addAction(actions_.value(name));
    edit->addSeparator();
    edit->addAction(actions_.value("add-node"));
    QMenu* view = menuBar()->addMenu(tr("&View"));
    for (const char* name : {"fit", "zoom-in", "zoom-out"}) view->addAction(actions_.value(name));
    QMenu* run = menuBar()->addMenu(tr("&Run"));
    run->addAction(actions_.value("run"));
    run->addAction(actions_.value("cancel"));

    QToolBar* bar = addToolBar(tr("Main"));
    bar->setObjectName("main-toolbar");
    bar->setMovable(false);
    bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    for (const char* name : {"new", "open", "save"}) bar->addAction(actions_.value(name));
    bar->addSeparator();
    for (const char* name : {"undo", "redo"}) bar->addAction(actions_.value(name));
    bar->addSeparator();
    bar->addAction(actions_.value("add-node"));
    bar->addAction(actions_.value("fit"));
    bar->addSeparator();
    bar->addAction(actions_.value("run"));
    bar->addAction(actions_.value("cancel"));
}

QAction* MainWindow::action(const QString& name) const { return actions_.value(name); }

bool MainWindow::open_file(const QString& path) { return files_->open_file(path); }
bool MainWindow::save_to(const QString& path) { return files_->save_to(path); }
void MainWindow::new_graph() { files_->new_graph(); }
QString MainWindow::file_path() const { return files_->path(); }
bool MainWindow::modified() const { return files_->modified(); }
bool MainWindow::restore_from(const QString& autosave_file) { return files_->restore_from(autosave_file); }
void MainWindow::autosave_now() { files_->autosave_now(); }
QString MainWindow::autosave_file() const { return files_->autosave_file(); }

bool MainWindow::run(const QStringList& targets) { return runs_->run(targets); }
void MainWindow::cancel() { runs_->cancel(); }
bool MainWindow::running() const { return runs_->running(); }
QString MainWindow::output_dir() const { return runs_->output_dir(); }
irl::nodes::GraphRunner* MainWindow::runner() const { return runs_->runner(); }

void MainWindow::update_title() {
    const QString path = files_->path();
    const QString name = path.isEmpty() ? tr("Untitled") : QFileInfo(path).fileName();
    setWindowTitle(QStringLiteral("%1[*] — IRL Sampler Studio").arg(name));
    setWindowModified(modified());
}

void MainWindow::update_run_actions() {
    const bool busy = runs_->running();
    actions_.value("run")->setEnabled(!busy);
    actions_.value("cancel")->setEnabled(busy);
}

void MainWindow::update_trainers() { training_->set_trainers(runs_->trainers()); }

void MainWindow::log(const QString& text) { log_->appendPlainText(QDateTime::currentDateTime().toString("HH:mm:ss  ") + text); }

void MainWindow::closeEvent(QCloseEvent* event) {
    if (!files_->maybe_save()) {
        event->ignore();
        return;
    }
    runs_->cancel();
    event->accept();
}

void MainWindow::fit_when_shown() {
    if (isVisible())
        QTimer::singleShot(0, view_, [this] { view_->fit_all(); });
    else
        fit_pending_ = true;
}

void MainWindow::showEvent(QShowEvent* event) {
    QMainWindow::showEvent(event);
    if (!fit_pending_) return;
    fit_pending_ = false;
    // After the layout has given the canvas its size.
    QTimer::singleShot(0, view_, [this] { view_->fit_all(); });
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.size() == 1 && urls.first().isLocalFile() && DocumentFiles::openable(urls.first().toLocalFile())) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.isEmpty() || !files_->maybe_save()) return;
    event->acceptProposedAction();
    open_file(urls.first().toLocalFile());
}

void MainWindow::request_palette(const QPointF& scene_position, const std::optional<irl::nodes::PortRef>& from, const QString& type,
                                 bool from_output) {
    palette_position_ = scene_position;
    palette_from_ = from;
    palette_from_output_ = from_output;
    if (from && !type.isEmpty())
        palette_->set_filter_port(type, from_output);
    else
        palette_->set_filter_port(std::nullopt, false);
    palette_->set_search({});
    palette_->popup_at(view_->viewport()->mapToGlobal(view_->mapFromScene(scene_position)));
}

void MainWindow::add_from_palette(const QString& type) {
    // One undo step: the node, and its link to the port a dropped link came from.
    QString error;
    const QString id = scene_->add_node_at(type, palette_position_, palette_from_, palette_from_output_, &error);
    palette_from_.reset();
    if (id.isEmpty()) statusBar()->showMessage(error, 6000);
}

void MainWindow::show_training_tab() { tabs_->setCurrentWidget(training_); }
void MainWindow::show_preview_tab() { tabs_->setCurrentWidget(preview_); }

}  // namespace irl::studio
