#include "main_window.h"

#include "graph_document.h"
#include "inspector.h"
#include "node_palette.h"
#include "node_scene.h"
#include "node_view.h"
#include "preview_panel.h"
#include "training_view.h"

#include "irl/engine/png_text.h"
#include "irl/engine/resources.h"
#include "irl/nodes/graph_file.h"
#include "irl/nodes/graph_runner.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QSaveFile>
#include <QScrollArea>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>
#include <QUndoStack>

#include <cerrno>
#include <csignal>
#include <sys/types.h>
#include <unistd.h>

namespace irl::studio {
namespace {

constexpr int kMaxRecent = 8;

bool process_alive(qint64 pid) { return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM); }

QString default_autosave_dir() {
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + "/autosave";
}

bool openable(const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == "json" || suffix == "irlgraph" || suffix == "png";
}

}  // namespace

MainWindow::MainWindow(const irl::nodes::NodePacks& packs, MainWindowOptions options, QWidget* parent)
    : QMainWindow(parent), packs_(packs), options_(std::move(options)) {
    if (options_.autosave_dir.isEmpty()) options_.autosave_dir = default_autosave_dir();
    setObjectName("main-window");
    setAcceptDrops(true);
    document_ = new GraphDocument(packs_.registry(), this);
    scene_ = new NodeScene(document_, this);
    view_ = new NodeView(scene_, this);
    view_->setAcceptDrops(false);  // files dropped on the canvas go to the window
    setCentralWidget(view_);
    palette_ = new NodePalette(packs_.registry(), this);
    runner_ = new irl::nodes::GraphRunner(packs_, this);

    build_docks();
    build_actions();
    build_menus();

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

    connect(document_->undo_stack(), &QUndoStack::cleanChanged, this, [this] { update_title(); });
    connect(document_->undo_stack(), &QUndoStack::indexChanged, this, [this] { update_title(); });
    connect(document_, &GraphDocument::changed, this, [this] { update_trainers(); });
    connect(document_, &GraphDocument::reset_done, this, [this] {
        update_trainers();
        scene_->clear_statuses();
        inspector_->show_node({});
    });
    connect(scene_, &NodeScene::selected_nodes_changed, this, [this](const QStringList& ids) {
        inspector_->show_node(ids.size() == 1 ? ids.first() : QString());
        if (ids.size() == 1 && document_->graph().node(ids.first()) &&
            document_->graph().node(ids.first())->type == "irl.irl_trainer")
            training_->select_trainer(ids.first());
    });
    connect(scene_, &NodeScene::palette_requested, this, &MainWindow::request_palette);
    connect(scene_, &NodeScene::message, this, [this](const QString& text) { statusBar()->showMessage(text, 6000); });
    connect(palette_, &NodePalette::type_chosen, this, &MainWindow::add_from_palette);

    connect(runner_, &irl::nodes::GraphRunner::node_status, this, &MainWindow::on_status);
    connect(runner_, &irl::nodes::GraphRunner::progress, this, &MainWindow::on_progress);
    connect(runner_, &irl::nodes::GraphRunner::preview, this, &MainWindow::on_preview);
    connect(runner_, &irl::nodes::GraphRunner::finished, this, &MainWindow::on_finished);

    connect(training_, &TrainingView::start_requested, this, &MainWindow::start_training);
    connect(training_, &TrainingView::pause_requested, this, [this](bool paused) {
        runner_->set_training_paused(paused);
        training_->set_paused(paused);
        log(paused ? tr("Training paused.") : tr("Training resumed."));
    });
    connect(training_, &TrainingView::stop_requested, this, [this] {
        runner_->stop_training();
        training_->set_paused(false);
        runner_->set_training_paused(false);
        log(tr("Stopping training after this iteration; the policy learned so far is kept."));
    });
    connect(training_, &TrainingView::checkpoint_requested, this, [this] {
        runner_->request_checkpoint();
        log(tr("A checkpoint will be written at the next iteration."));
    });
    connect(training_, &TrainingView::use_policy_requested, this, &MainWindow::use_trained_policy);

    autosave_timer_ = new QTimer(this);
    autosave_timer_->setInterval(options_.autosave_interval_ms);
    connect(autosave_timer_, &QTimer::timeout, this, &MainWindow::autosave_now);
    autosave_timer_->start();

    for (const QString& warning : packs_.warnings()) log(tr("Node packs: %1").arg(warning));
    update_title();
    update_run_actions();
    resize(1600, 1000);
}

MainWindow::~MainWindow() {
    // A clean exit leaves no autosave behind (a crash does, and the next start offers it).
    QFile::remove(autosave_file());
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
    auto make = [this](const QString& name, const QString& text, const QKeySequence& key, auto slot, const QString& tip = {}) {
        auto* a = new QAction(text, this);
        a->setObjectName("action-" + name);
        if (!key.isEmpty()) a->setShortcut(key);
        a->setToolTip(tip.isEmpty() ? text : tip);
        connect(a, &QAction::triggered, this, slot);
        actions_.insert(name, a);
        addAction(a);
        return a;
    };
    make("new", tr("&New"), QKeySequence::New, [this] { if (maybe_save()) new_graph(); });
    make("open", tr("&Open…"), QKeySequence::Open, [this] { open_dialog(); });
    make("save", tr("&Save"), QKeySequence::Save, [this] { save(); });
    make("save-as", tr("Save &As…"), QKeySequence::SaveAs, [this] { save_as(); });
    make("quit", tr("&Quit"), QKeySequence::Quit, [this] { close(); });
    QAction* undo = document_->undo_stack()->createUndoAction(this, tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    undo->setObjectName("action-undo");
    actions_.insert("undo", undo);
    addAction(undo);
    QAction* redo = document_->undo_stack()->createRedoAction(this, tr("&Redo"));
    redo->setShortcuts({QKeySequence::Redo, QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z)});
    redo->setObjectName("action-redo");
    actions_.insert("redo", redo);
    addAction(redo);
    make("copy", tr("&Copy"), QKeySequence::Copy, [this] { scene_->copy_selection(); });
    make("paste", tr("&Paste"), QKeySequence::Paste,
         [this] { scene_->paste_clipboard(view_->mapToScene(view_->viewport()->rect().center())); });
    make("duplicate", tr("D&uplicate"), QKeySequence(Qt::CTRL | Qt::Key_D), [this] { scene_->duplicate_selection(); });
    make("delete", tr("&Delete"), QKeySequence::Delete, [this] { scene_->delete_selection(); });
    make("select-all", tr("Select &All"), QKeySequence::SelectAll, [this] {
        QStringList ids;
        for (const auto& n : document_->graph().nodes()) ids << n.id;
        scene_->select_nodes(ids);
    });
    make("add-node", tr("Add &Node…"), QKeySequence(Qt::SHIFT | Qt::Key_A), [this] {
        request_palette(view_->mapToScene(view_->viewport()->rect().center()), std::nullopt, -1, false);
    }, tr("Add a node (also: double-click the canvas)"));
    make("fit", tr("&Fit Graph"), QKeySequence(Qt::Key_F), [this] { view_->fit_all(); });
    make("zoom-in", tr("Zoom &In"), QKeySequence::ZoomIn, [this] { view_->zoom_by(1.25); });
    make("zoom-out", tr("Zoom &Out"), QKeySequence::ZoomOut, [this] { view_->zoom_by(0.8); });
    make("run", tr("&Run"), QKeySequence(Qt::CTRL | Qt::Key_Return), [this] { run(); }, tr("Run the graph (Ctrl+Return)"));
    make("cancel", tr("&Cancel"), QKeySequence(Qt::Key_Escape), [this] { cancel(); }, tr("Cancel the run (Esc)"));
    // Shortcuts that clash with text fields (Delete, Esc, F) only fire when the canvas has focus.
    for (const char* name : {"delete", "fit", "copy", "paste", "duplicate", "select-all"})
        actions_.value(name)->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    for (const char* name : {"delete", "fit", "copy", "paste", "duplicate", "select-all"}) {
        removeAction(actions_.value(name));  // not while typing in the inspector
        view_->addAction(actions_.value(name));
    }
}

void MainWindow::build_menus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(actions_.value("new"));
    file->addAction(actions_.value("open"));
    recent_menu_ = file->addMenu(tr("Open &Recent"));
    recent_menu_->setObjectName("recent-menu");
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
    rebuild_recent_menu();

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

bool MainWindow::modified() const { return !document_->undo_stack()->isClean(); }

void MainWindow::update_title() {
    const QString name = path_.isEmpty() ? tr("Untitled") : QFileInfo(path_).fileName();
    setWindowTitle(QStringLiteral("%1[*] — IRL Sampler Studio").arg(name));
    setWindowModified(modified());
}

void MainWindow::update_run_actions() {
    const bool busy = runner_->busy();
    actions_.value("run")->setEnabled(!busy);
    actions_.value("cancel")->setEnabled(busy);
}

void MainWindow::update_trainers() {
    QStringList trainers;
    for (const auto& n : document_->graph().nodes())
        if (n.type == "irl.irl_trainer") trainers << n.id;
    training_->set_trainers(trainers);
}

void MainWindow::log(const QString& text) {
    log_->appendPlainText(QDateTime::currentDateTime().toString("HH:mm:ss  ") + text);
}

// ---- files ----

std::optional<irl::nodes::Graph> MainWindow::read_any(const QString& path, QString* error) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = tr("Cannot open '%1': %2").arg(path, file.errorString());
        return std::nullopt;
    }
    QByteArray bytes = file.readAll();
    if (bytes.startsWith("\x89PNG")) {
        const auto text = irl::read_png_text(bytes.toStdString(), "irlstudio-graph");
        if (!text) {
            *error = tr("'%1' is a PNG without an embedded graph (only images saved by the studio carry one).").arg(path);
            return std::nullopt;
        }
        bytes = QByteArray::fromStdString(*text);
    }
    const irl::nodes::GraphLoadResult result = irl::nodes::read_graph(bytes, packs_.registry(), path);
    if (!result.graph) {
        *error = result.summary();
        return std::nullopt;
    }
    if (!result.problems.isEmpty()) log(result.summary());
    return result.graph;
}

bool MainWindow::open_file(const QString& path) {
    QString error;
    const auto graph = read_any(path, &error);
    if (!graph) {
        log(error);
        if (options_.ask_before_discarding) QMessageBox::warning(this, tr("Open"), error);
        return false;
    }
    document_->reset(*graph);
    // A PNG is not where the graph is saved: saving asks for a graph file.
    path_ = QFileInfo(path).suffix().toLower() == "png" ? QString() : QFileInfo(path).absoluteFilePath();
    if (!path_.isEmpty()) add_recent(path_);
    preview_->clear();
    training_->clear();
    update_title();
    fit_when_shown();
    log(tr("Opened %1").arg(path));
    Q_EMIT file_changed(path_);
    return true;
}

bool MainWindow::save_to(const QString& path) {
    QString error;
    if (!irl::nodes::save_graph_file(document_->graph(), path, &error)) {
        log(error);
        if (options_.ask_before_discarding) QMessageBox::warning(this, tr("Save"), error);
        return false;
    }
    path_ = QFileInfo(path).absoluteFilePath();
    document_->undo_stack()->setClean();
    add_recent(path_);
    update_title();
    statusBar()->showMessage(tr("Saved %1").arg(path_), 4000);
    Q_EMIT file_changed(path_);
    return true;
}

void MainWindow::new_graph() {
    document_->reset(irl::nodes::Graph(&packs_.registry()));
    path_.clear();
    preview_->clear();
    training_->clear();
    update_title();
    Q_EMIT file_changed(path_);
}

bool MainWindow::save() { return path_.isEmpty() ? save_as() : save_to(path_); }

bool MainWindow::save_as() {
    QString path = QFileDialog::getSaveFileName(this, tr("Save graph"), path_.isEmpty() ? QStringLiteral("untitled.irlgraph") : path_,
                                                tr("Graphs (*.irlgraph *.json)"));
    if (path.isEmpty()) return false;
    if (QFileInfo(path).suffix().isEmpty()) path += ".irlgraph";
    return save_to(path);
}

void MainWindow::open_dialog() {
    if (!maybe_save()) return;
    const QString path = QFileDialog::getOpenFileName(this, tr("Open graph"), QFileInfo(path_).absolutePath(),
                                                      tr("Graphs and images with a graph (*.irlgraph *.json *.png);;All files (*)"));
    if (!path.isEmpty()) open_file(path);
}

bool MainWindow::maybe_save() {
    if (!modified() || !options_.ask_before_discarding) return true;
    const auto answer = QMessageBox::question(this, tr("Unsaved changes"),
                                              tr("The graph has unsaved changes. Save them first?"),
                                              QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Save) return save();
    return answer == QMessageBox::Discard;
}

void MainWindow::add_recent(const QString& path) {
    QSettings settings;
    QStringList recent = settings.value("recent-files").toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecent) recent.removeLast();
    settings.setValue("recent-files", recent);
    rebuild_recent_menu();
}

void MainWindow::rebuild_recent_menu() {
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

void MainWindow::closeEvent(QCloseEvent* event) {
    if (!maybe_save()) {
        event->ignore();
        return;
    }
    runner_->cancel();
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
    if (urls.size() == 1 && urls.first().isLocalFile() && openable(urls.first().toLocalFile())) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.isEmpty() || !maybe_save()) return;
    event->acceptProposedAction();
    open_file(urls.first().toLocalFile());
}

// ---- autosave ----

QString MainWindow::autosave_file() const {
    return QDir(options_.autosave_dir).filePath(QStringLiteral("session-%1.irlgraph").arg(QCoreApplication::applicationPid()));
}

void MainWindow::autosave_now() {
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
    if (file.open(QIODevice::WriteOnly) && file.write(QJsonDocument(wrapper).toJson()) >= 0 && file.commit())
        autosaved_index_ = index;
}

QString MainWindow::pending_recovery(const QString& autosave_dir) {
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

bool MainWindow::restore_from(const QString& autosave) {
    QString error;
    const auto graph = read_any(autosave, &error);
    if (!graph) {
        log(error);
        return false;
    }
    QFile file(autosave);
    file.open(QIODevice::ReadOnly);
    const QString original = QJsonDocument::fromJson(file.readAll()).object().value("autosave_of").toString();
    document_->reset(*graph);
    path_ = original;
    // The restored graph is not saved anywhere yet: mark it modified by moving off the clean index.
    document_->undo_stack()->resetClean();
    update_title();
    fit_when_shown();
    log(tr("Restored the graph autosaved before the studio closed unexpectedly%1.")
            .arg(original.isEmpty() ? QString() : tr(" (it was %1)").arg(original)));
    // Older autosaves of crashed sessions are done with.
    QFile::remove(autosave);
    for (QString other = pending_recovery(options_.autosave_dir); !other.isEmpty(); other = pending_recovery(options_.autosave_dir))
        QFile::remove(other);
    return true;
}

// ---- palette ----

void MainWindow::request_palette(const QPointF& scene_position, const std::optional<irl::nodes::PortRef>& from, int type,
                                 bool from_output) {
    palette_position_ = scene_position;
    palette_from_ = from;
    palette_from_output_ = from_output;
    if (from && type >= 0)
        palette_->set_filter_port(static_cast<irl::nodes::PortType>(type), from_output);
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

// ---- running ----

QString MainWindow::output_dir() const {
    const QString runs = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + "/runs/";
    if (path_.isEmpty()) return runs + "untitled";
    const QFileInfo info(path_);
    // Next to the user's graph; the bundled example graphs (read-only once installed) run into
    // the studio's data folder instead.
    const QString folder = info.absoluteDir().canonicalPath();
    for (const std::string& bundled : irl::resource_folders()) {
        const QString root = QDir(QString::fromStdString(bundled)).canonicalPath();
        if (!root.isEmpty() && (folder == root || folder.startsWith(root + "/"))) return runs + info.completeBaseName();
    }
    if (!QFileInfo(folder).isWritable()) return runs + info.completeBaseName();
    return info.absoluteDir().filePath(info.completeBaseName() + "-output");
}

bool MainWindow::running() const { return runner_->busy(); }

bool MainWindow::run(const QStringList& targets) {
    if (runner_->busy()) return false;
    if (document_->graph().nodes().isEmpty()) {
        statusBar()->showMessage(tr("The graph is empty: add nodes first (Shift+A or double-click the canvas)."), 6000);
        return false;
    }
    QDir().mkpath(output_dir());
    scene_->clear_statuses();
    if (!runner_->start(document_->graph(), output_dir(), targets)) return false;
    progress_->setValue(0);
    progress_->setFormat(tr("starting…"));
    update_run_actions();
    log(tr("Running %1 → %2").arg(targets.isEmpty() ? tr("the graph") : targets.join(", "), output_dir()));
    return true;
}

void MainWindow::cancel() {
    if (!runner_->busy()) return;
    runner_->cancel();
    progress_->setFormat(tr("cancelling…"));
    log(tr("Cancelling: the run stops at the next denoiser call; finished nodes stay cached."));
}

void MainWindow::start_training(const QString& trainer) {
    training_node_ = trainer;
    training_->clear();
    if (!run({trainer})) {
        training_node_.clear();
        return;
    }
    training_->set_running(true);
    training_->set_message(tr("Starting %1…").arg(trainer));
    show_training_tab();
}

void MainWindow::use_trained_policy(const QString& trainer) {
    const irl::nodes::Node* node = document_->graph().node(trainer);
    if (!node) return;
    const QString save = node->parameters.value("save").toString();
    const QString name = save.isEmpty() ? trainer + "-policy.pt" : save;
    const QString file = QFileInfo(name).isAbsolute() ? name : QDir(output_dir()).filePath(name);
    if (!QFileInfo::exists(file)) {
        training_->set_message(tr("No trained policy yet: train first (it is written to %1).").arg(file));
        return;
    }
    const QPointF at = document_->graph().view().positions.value(trainer) + QPointF(0, 220);
    document_->undo_stack()->beginMacro(tr("Add Policy node"));
    const QString id = document_->add_node("irl.policy", at);
    if (!id.isEmpty()) document_->set_parameter(id, "file", file);
    document_->undo_stack()->endMacro();
    if (!id.isEmpty()) {
        scene_->select_nodes({id});
        training_->set_message(tr("%1 loads %2; link it into a Sampler's policy input.").arg(id, file));
    }
}

void MainWindow::on_status(const QString& node, int status, const QString& message) {
    scene_->set_node_status(node, status, message);
    if (status == static_cast<int>(irl::nodes::NodeStatus::Failed)) log(tr("%1 failed: %2").arg(node, message));
}

void MainWindow::on_progress(const QString& node, double fraction) {
    progress_->setValue(static_cast<int>(std::clamp(fraction, 0.0, 1.0) * 1000));
    progress_->setFormat(QStringLiteral("%1  %p%").arg(node));
}

void MainWindow::on_preview(const irl::nodes::NodePreview& preview) {
    if (preview.kind == "training") {
        if (training_node_.isEmpty()) {
            // A trainer that runs as part of the whole graph (Run) is as interactive as one started
            // from the training view.
            training_node_ = preview.node;
            training_->clear();
            training_->select_trainer(preview.node);
            training_->set_running(true);
        }
        training_->add_iteration(preview);
    } else if (preview.kind == "sampling") {
        preview_->add_step(preview);
    }
}

void MainWindow::on_finished(const irl::nodes::RunOutcome& outcome) {
    update_run_actions();
    progress_->setValue(outcome.ok ? 1000 : progress_->value());
    progress_->setFormat(outcome.ok ? tr("done in %1 s").arg(outcome.seconds, 0, 'f', 1)
                                    : outcome.cancelled ? tr("cancelled") : tr("failed"));
    QStringList numbers;
    for (const QString& id : outcome.order) {
        const auto& n = outcome.nodes.value(id);
        for (auto it = n.numbers.begin(); it != n.numbers.end(); ++it)
            numbers << QStringLiteral("%1.%2 = %3").arg(id, it.key()).arg(it.value().toDouble(), 0, 'g', 5);
    }
    if (outcome.ok) {
        log(tr("Finished in %1 s. %2").arg(outcome.seconds, 0, 'f', 2).arg(numbers.join("; ")));
        statusBar()->showMessage(tr("Finished in %1 s").arg(outcome.seconds, 0, 'f', 1), 6000);
    } else if (outcome.cancelled) {
        log(tr("Cancelled."));
        statusBar()->showMessage(tr("Cancelled"), 6000);
    } else {
        log(tr("Failed: %1").arg(outcome.error));
        statusBar()->showMessage(tr("Failed: %1").arg(outcome.error), 10000);
    }
    if (!training_node_.isEmpty()) {
        training_->set_running(false);
        if (outcome.ok) {
            const int iterations = outcome.nodes.value(training_node_).numbers.value("iterations").toInt();
            const QString done = iterations == 1 ? tr("1 iteration") : tr("%1 iterations").arg(iterations);
            training_->set_message(tr("Training finished: %1. \"Use in Policy node\" loads the result.").arg(done));
        } else
            training_->set_message(outcome.cancelled ? tr("Training cancelled.") : tr("Training failed: %1").arg(outcome.error));
        training_node_.clear();
    }
    Q_EMIT run_finished(outcome.ok, outcome.cancelled);
}

void MainWindow::show_training_tab() { tabs_->setCurrentWidget(training_); }
void MainWindow::show_preview_tab() { tabs_->setCurrentWidget(preview_); }

}  // namespace irl::studio
