// The main window's commands: every QAction with its keys and tooltip, the menus and the toolbar.
#include "main_window.h"

#include "document_files.h"
#include "graph_document.h"
#include "node_scene.h"
#include "node_view.h"

#include <QAction>
#include <QCoreApplication>
#include <QMenuBar>
#include <QMessageBox>
#include <QToolBar>
#include <QUndoStack>

namespace irl::studio {

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
    // Undo and Redo keep their short text (so the toolbar does not shift under the mouse after
    // every edit); what they would undo or redo is in the tooltip. Redo's keys are spelled out:
    // QKeySequence::Redo is Ctrl+Shift+Z on Linux, and the same key twice in one action makes Qt
    // drop both as ambiguous.
    QUndoStack* stack = document_->undo_stack();
    QAction* undo = make("undo", tr("&Undo"), {QKeySequence::Undo}, [stack] { stack->undo(); });
    QAction* redo = make("redo", tr("&Redo"), {QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)},
                         [stack] { stack->redo(); });
    auto update_undo = [stack, undo, redo] {
        undo->setEnabled(stack->canUndo());
        redo->setEnabled(stack->canRedo());
        undo->setToolTip(stack->canUndo() ? tr("Undo %1 (Ctrl+Z)").arg(stack->undoText()) : tr("Nothing to undo"));
        redo->setToolTip(stack->canRedo() ? tr("Redo %1 (Ctrl+Shift+Z, Ctrl+Y)").arg(stack->redoText()) : tr("Nothing to redo"));
    };
    connect(stack, &QUndoStack::indexChanged, this, update_undo);
    connect(stack, &QUndoStack::cleanChanged, this, update_undo);
    update_undo();
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
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About IRL Sampler Studio"), this, [this] {
        QMessageBox::about(this, tr("About IRL Sampler Studio"),
                           tr("<b>IRL Sampler Studio</b> %1<p>Wire diffusion samplers as node graphs, watch every denoising step, "
                              "and learn how to sample: policies learned by inverse RL, compared with the best classic solver at "
                              "the same number of function evaluations.</p><p>Keys: Ctrl+Return runs, Esc cancels, Shift+A adds a "
                              "node, F fits the graph, Ctrl+Z / Ctrl+Shift+Z undo and redo.</p>")
                               .arg(QCoreApplication::applicationVersion()));
    });

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

}  // namespace irl::studio
