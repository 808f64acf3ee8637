#include "main_window.h"
#include "theme.h"

#include "graph_document.h"
#include "inspector.h"
#include "node_palette.h"
#include "node_scene.h"
#include "node_view.h"
#include "preview_panel.h"
#include "comparison_view.h"
#include "history_panel.h"
#include "results_view.h"
#include "run_history.h"
#include "run_controller.h"
#include "training_view.h"

#include "irl/engine/core/compute.h"
#include "irl/engine/io/png_text.h"
#include "irl/nodes/graph_file.h"
#include "irl/nodes/graph_runner.h"
#include "irl/nodes/plugin_loader.h"

#include <QAction>
#include <QCloseEvent>
#include <QDateTime>
#include <QDockWidget>
#include <QFile>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QToolButton>
#include <QVBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QScrollArea>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QUndoStack>

namespace irl::studio {

MainWindow::MainWindow(const irl::nodes::NodePacks& packs, MainWindowOptions options, QWidget* parent)
    : QMainWindow(parent), packs_(packs) {
    setObjectName("main-window");
    history_ = new RunHistory(options.history_dir.isEmpty() ? DocumentFiles::default_history_dir() : options.history_dir, 200,
                              500LL * 1024 * 1024, this);
    history_->load();
    setAcceptDrops(true);
    document_ = new GraphDocument(packs_.registry(), this);
    files_ = new DocumentFiles(document_, packs_.registry(), std::move(options), this);
    scene_ = new NodeScene(document_, this);
    view_ = new NodeView(scene_, this);
    view_->setAcceptDrops(false);  // files dropped on the canvas go to the window
    // Above the canvas: what opening a file changed in it (parameters dropped or migrated).
    banner_ = new QFrame;
    banner_->setObjectName("load-banner");
    banner_->setStyleSheet(QStringLiteral("QFrame#load-banner { background: %1; border-bottom: 1px solid %2; }"
                                          "QFrame#load-banner QLabel { color: %3; }")
                               .arg(theme_colours().banner_background.name(), theme_colours().banner_border.name(),
                                    theme_colours().banner_text.name()));
    auto* banner_layout = new QHBoxLayout(banner_);
    banner_layout->setContentsMargins(8, 4, 8, 4);
    banner_text_ = new QLabel;
    banner_text_->setWordWrap(true);
    banner_text_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* dismiss = new QToolButton;
    dismiss->setText(tr("Dismiss"));
    dismiss->setObjectName("load-banner-dismiss");
    connect(dismiss, &QToolButton::clicked, banner_, &QWidget::hide);
    banner_layout->addWidget(banner_text_, 1);
    banner_layout->addWidget(dismiss);
    banner_->hide();
    auto* centre = new QWidget;
    auto* centre_layout = new QVBoxLayout(centre);
    centre_layout->setContentsMargins(0, 0, 0, 0);
    centre_layout->setSpacing(0);
    centre_layout->addWidget(banner_);
    centre_layout->addWidget(view_, 1);
    setCentralWidget(centre);
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
    runs_ = new RunController(packs_, {document_, scene_, preview_, training_, progress_, results_, history_}, [this] { return files_->path(); }, this);
    build_actions();
    build_menus();
    connect_parts();

    for (const QString& warning : packs_.warnings()) log(tr("Node packs: %1").arg(warning));
    for (const QString& problem : history_->problems()) log(problem);
    log(tr("Runs and trainings compute with %n thread(s).", nullptr, irl::compute_threads()));
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
    connect(files_, &DocumentFiles::changed_on_load, this, &MainWindow::show_load_banner);
    connect(files_, &DocumentFiles::document_replaced, this, [this] {
        banner_->hide();
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
    connect(runs_, &RunController::queue_changed, this, &MainWindow::update_queue);
    connect(history_panel_, &HistoryPanel::restore_requested, this, &MainWindow::restore_run);
    connect(history_panel_, &HistoryPanel::compare_requested, this, &MainWindow::compare_runs);
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
    results_ = new ResultsView(this);
    history_panel_ = new HistoryPanel(history_, this);
    comparison_ = new ComparisonView(this);
    auto* queue_page = new QWidget(this);
    auto* queue_layout = new QVBoxLayout(queue_page);
    auto* queue_hint = new QLabel(tr("Run while a run is going queues the graph as it is then; queued runs start in order when "
                                     "the current one ends (finished, failed or cancelled; a paused training keeps them waiting)."));
    queue_hint->setWordWrap(true);
    queue_ = new QListWidget;
    queue_->setObjectName("queue-list");
    auto* remove = new QPushButton(tr("Remove from the queue"));
    remove->setObjectName("queue-remove");
    connect(remove, &QPushButton::clicked, this, [this] { runs_->remove_queued(queue_->currentRow()); });
    queue_layout->addWidget(queue_hint);
    queue_layout->addWidget(queue_, 1);
    queue_layout->addWidget(remove);
    log_ = new QPlainTextEdit(this);
    log_->setObjectName("log");
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(2000);
    tabs_ = new QTabWidget(this);
    tabs_->setObjectName("bottom-tabs");
    tabs_->addTab(preview_, tr("Preview"));
    tabs_->addTab(results_, tr("Results"));
    tabs_->addTab(training_, tr("Training"));
    tabs_->addTab(history_panel_, tr("History"));
    tabs_->addTab(comparison_, tr("Compare"));
    tabs_->addTab(queue_page, tr("Queue"));
    tabs_->addTab(log_, tr("Log"));
    auto* bottom = new QDockWidget(tr("Run"), this);
    bottom->setObjectName("run-dock");
    bottom->setWidget(tabs_);
    bottom->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable);
    addDockWidget(Qt::BottomDockWidgetArea, bottom);
    resizeDocks({inspector_dock}, {330}, Qt::Horizontal);
    // The canvas keeps most of the height: at 1600 x 1000 a fitted graph still reads.
    resizeDocks({bottom}, {330}, Qt::Vertical);
}


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
    // Run stays available while a run is going: it queues the edited graph.
    const bool busy = runs_->running();
    actions_.value("run")->setToolTip(busy ? tr("Queue the graph as it is now; it runs when the current run ends (Ctrl+Return)")
                                           : tr("Run the graph (Ctrl+Return)"));
    actions_.value("cancel")->setEnabled(busy);
}

void MainWindow::update_queue() {
    queue_->clear();
    queue_->addItems(runs_->queued());
    tabs_->setTabText(tabs_->indexOf(queue_->parentWidget()), queue_->count() ? tr("Queue (%1)").arg(queue_->count()) : tr("Queue"));
}

bool MainWindow::restore_run(const QString& id) {
    const HistoryEntry* entry = history_->find(id);
    if (!entry || !files_->maybe_save()) return false;
    const QStringList changed = history_->changed_files(*entry);
    const HistoryEntry kept = *entry;
    if (!files_->restore_graph(kept.graph_path(), kept.source)) return false;
    log(tr("Restored the graph of the run of %1.").arg(kept.time.toString("yyyy-MM-dd HH:mm:ss")));
    if (!changed.isEmpty())
        show_banner(tr("These files have changed since that run, so running it again may not give the same results:\n%1")
                        .arg(changed.join("\n")));
    return true;
}

void MainWindow::compare_runs(const QString& first, const QString& second) {
    const HistoryEntry* a = history_->find(first);
    const HistoryEntry* b = history_->find(second);
    if (!a || !b) return;
    comparison_->compare(*a, *b);
    tabs_->setCurrentWidget(comparison_);
}

void MainWindow::update_trainers() { training_->set_trainers(runs_->trainers()); }

void MainWindow::show_load_banner(const QString& problems) {
    // Said by place, and that saving keeps what the window shows.
    show_banner(tr("Opening this file changed the graph (it is marked modified; saving writes what you see):\n%1").arg(problems));
}

void MainWindow::show_banner(const QString& text) {
    banner_text_->setText(text);
    banner_->show();
}

QString MainWindow::load_banner_text() const { return banner_->isVisible() ? banner_text_->text() : QString(); }

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

namespace {

// A picture a Load Image node can read (by its name; the node says if it is not one).
bool is_picture(const QString& path) {
    static const QStringList suffixes{"png", "jpg", "jpeg", "bmp", "webp", "tif", "tiff"};
    return suffixes.contains(QFileInfo(path).suffix().toLower());
}

// A graph file, or a PNG that embeds one (Save Image's): opened, not loaded as a picture.
bool carries_graph(const QString& path) {
    if (QFileInfo(path).suffix().toLower() != "png") return DocumentFiles::openable(path);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return false;
    return irl::read_png_text(file.readAll().toStdString(), irl::nodes::kGraphPngKeyword).has_value();
}

}  // namespace

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.size() != 1 || !urls.first().isLocalFile()) return;
    const QString path = urls.first().toLocalFile();
    if (DocumentFiles::openable(path) || is_picture(path)) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.isEmpty() || !urls.first().isLocalFile()) return;
    const QString path = urls.first().toLocalFile();
    if (!carries_graph(path) && is_picture(path)) {
        // A picture: a Load Image node where it was dropped, reading it (one undo step).
        event->acceptProposedAction();
        const QPointF at = view_->mapToScene(view_->mapFrom(this, event->position().toPoint()));
        document_->undo_stack()->beginMacro(tr("Load Image %1").arg(QFileInfo(path).fileName()));
        QString error;
        const QString id = scene_->add_node_at("irl.load_image", at, std::nullopt, true, &error);
        if (!id.isEmpty()) document_->set_parameter(id, "file", path, &error);
        document_->undo_stack()->endMacro();
        if (id.isEmpty() || !error.isEmpty()) statusBar()->showMessage(error, 6000);
        return;
    }
    if (!files_->maybe_save()) return;
    event->acceptProposedAction();
    open_file(path);
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

void MainWindow::show_tab(const QString& title) {
    for (int i = 0; i < tabs_->count(); ++i)
        if (tabs_->tabText(i).startsWith(title)) tabs_->setCurrentIndex(i);
}

}  // namespace irl::studio
