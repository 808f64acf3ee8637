// The studio window driven through its real widgets (offscreen): run the default graph and see
// the preview change step by step, cancel a run, save and reload, open a PNG that embeds a
// graph by dropping it, train a policy with pause / resume / checkpoint / stop and feed the
// result to a Policy node, autosave and restore after a crash.
#include "graph_document.h"
#include "action_heat_map.h"
#include "comparison_view.h"
#include "history_panel.h"
#include "main_window.h"
#include "node_scene.h"
#include "preview_panel.h"
#include "run_history.h"
#include "theme.h"
#include "training_charts.h"
#include "training_view.h"
#include "node_item.h"
#include "zoomable_image.h"

#include "irl/nodes/executor.h"
#include "irl/nodes/graph_file.h"
#include "irl/nodes/graph_runner.h"
#include "irl/nodes/plugin_loader.h"

#include <QAction>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QLabel>
#include <QtTest/QtTest>

using namespace irl::studio;

class TestStudio : public QObject {
    Q_OBJECT

    irl::nodes::NodePacks packs_;
    QTemporaryDir home_;

    MainWindowOptions options() const {
        MainWindowOptions o;
        o.autosave_dir = home_.filePath("autosave");
        o.history_dir = home_.filePath("history");
        o.ask_before_discarding = false;
        o.autosave_interval_ms = 3600 * 1000;
        return o;
    }

    static bool wait_finished(MainWindow& window, QSignalSpy& spy, int ms) {
        if (spy.isEmpty() && !spy.wait(ms)) return false;
        return !window.running() || QTest::qWaitFor([&] { return !window.running(); }, 2000);
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        packs_.load({IRL_PLUGIN_BUILD_DIR, TEST_PACK_DIR});
        QVERIFY2(packs_.registry().find("irl.sampler"), "the built-in pack must load");
    }

    void run_default_graph_updates_preview() {
        MainWindow window(packs_, options());
        window.show();
        QVERIFY(window.open_file(IRL_GRAPHS_DIR "/default.json"));
        // Keep it quick: 8 images, 8 Heun steps.
        QVERIFY(window.document()->set_parameter("sampler-1", "count", 8));
        QVERIFY(window.document()->set_parameter("schedule-1", "steps", 8));
        window.save_to(home_.filePath("default-copy.irlgraph"));
        QSignalSpy finished(&window, &MainWindow::run_finished);
        QSignalSpy frames(window.preview_panel(), &PreviewPanel::frame_shown);
        window.action("run")->trigger();
        QVERIFY(window.running());
        // Run stays available during a run: it would queue the graph.
        QVERIFY(window.action("run")->isEnabled());
        QVERIFY(window.action("run")->toolTip().contains("Queue"));
        QVERIFY(window.action("cancel")->isEnabled());
        QVERIFY(wait_finished(window, finished, 120000));
        QCOMPARE(finished.first().at(0).toBool(), true);
        PreviewPanel* preview = window.preview_panel();
        QVERIFY2(preview->frame_count() >= 2, "the preview must update during the run, not only at the end");
        // Scrub the filmstrip back to the first frame: the noisy state differs from the last one.
        const QImage last = preview->current_x();
        QVERIFY(!last.isNull());
        preview->show_frame(0);
        QVERIFY(preview->current_x() != last);
        QCOMPARE(window.progress_bar()->value(), 1000);
        QVERIFY(QFileInfo::exists(window.output_dir() + "/fashion.png"));
        QString error;
        QVERIFY(preview->save_current(home_.filePath("preview.png"), &error));
        QVERIFY(!QImage(home_.filePath("preview.png")).isNull());
    }

    void cancel_run() {
        MainWindow window(packs_, options());
        window.show();
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QVERIFY(window.open_file(IRL_GRAPHS_DIR "/default.json"));
        QVERIFY(window.document()->set_parameter("schedule-1", "steps", 400));
        QVERIFY(window.document()->set_parameter("sampler-1", "count", 4));
        QSignalSpy finished(&window, &MainWindow::run_finished);
        QVERIFY(window.run());
        QVERIFY(QTest::qWaitFor([&] { return window.preview_panel()->frame_count() > 0; }, 60000));
        QTest::keyClick(&window, Qt::Key_Escape);
        QVERIFY(wait_finished(window, finished, 30000));
        QCOMPARE(finished.first().at(1).toBool(), true);  // cancelled
        QVERIFY(window.preview_panel()->frame_count() < 400);
        QVERIFY(window.action("run")->isEnabled());
        // Cancelled is its own status on the canvas, not a failure.
        QCOMPARE(static_cast<NodeItem*>(window.scene()->node_item("sampler-1"))->status(), int(irl::nodes::NodeStatus::Cancelled));
        QVERIFY(window.scene()->node_item("sampler-1")->toolTip().contains("cancelled"));
    }

    void keyboard_undo_and_redo() {
        MainWindow window(packs_, options());
        window.show();
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QVERIFY(window.open_file(IRL_GRAPHS_DIR "/default.json"));
        QVERIFY(window.document()->set_parameter("sampler-1", "seed", 5));
        // The toolbar's Undo keeps its short text after an edit; what it undoes is in the tooltip.
        QCOMPARE(window.action("undo")->text(), QString("&Undo"));
        QVERIFY2(window.action("undo")->toolTip().contains("Undo "), qPrintable(window.action("undo")->toolTip()));
        auto seed = [&] { return window.document()->graph().node("sampler-1")->parameters.value("seed").toInt(); };
        QTest::keyClick(&window, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(seed(), 0);
        QTest::keyClick(&window, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(seed(), 5);
        QTest::keyClick(&window, Qt::Key_Z, Qt::ControlModifier);
        QCOMPARE(seed(), 0);
        QTest::keyClick(&window, Qt::Key_Y, Qt::ControlModifier);
        QCOMPARE(seed(), 5);
        QCOMPARE(window.action("redo")->text(), QString("&Redo"));
    }

    void load_warnings_are_shown_and_mark_the_graph_modified() {
        // A parameter the node type does not know is dropped on load: the window says so by place.
        QFile file(home_.filePath("odd.irlgraph"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"format": "irlstudio-graph", "version": 2,
            "nodes": [{"id": "schedule-1", "type": "irl.schedule", "params": {"steps": 9, "wobble": 3}}], "links": []})");
        file.close();
        MainWindow window(packs_, options());
        window.show();
        QVERIFY(window.open_file(file.fileName()));
        QVERIFY2(window.load_banner_text().contains("nodes[0].params.wobble"), qPrintable(window.load_banner_text()));
        QVERIFY(window.modified());
        QVERIFY(window.isWindowModified());
        // A clean file shows no banner.
        QVERIFY(window.open_file(IRL_GRAPHS_DIR "/default.json"));
        QVERIFY(window.load_banner_text().isEmpty());
        QVERIFY(!window.modified());
    }

    void every_theme_colour_reads_on_its_background() {
        for (const ColourPair& pair : theme_colour_pairs())
            QVERIFY2(contrast_ratio(pair.text, pair.background) >= 4.5,
                     qPrintable(QString("%1: contrast %2").arg(pair.name).arg(contrast_ratio(pair.text, pair.background))));
        QVERIFY(std::abs(contrast_ratio(Qt::black, Qt::white) - 21.0) < 1e-6);  // the formula's known end
    }

    void zoomed_preview_scrolls_and_names_a_sample() {
        MainWindow window(packs_, options());
        window.show();
        QVERIFY(window.open_file(IRL_GRAPHS_DIR "/default.json"));
        QVERIFY(window.document()->set_parameter("sampler-1", "count", 64));
        QVERIFY(window.document()->set_parameter("schedule-1", "steps", 3));
        QSignalSpy finished(&window, &MainWindow::run_finished);
        QVERIFY(window.run());
        QVERIFY(wait_finished(window, finished, 120000));
        PreviewPanel* preview = window.preview_panel();
        window.show_preview_tab();
        preview->set_zoom(8);
        QScrollBar* bar = preview->denoised_view()->horizontalScrollBar();
        QVERIFY2(bar->maximum() > 0, "at 8x the grid is wider than the view and must scroll");
        bar->setValue(bar->maximum());
        QCOMPARE(preview->state_view()->horizontalScrollBar()->value(), bar->value());  // both pictures move together
        QCOMPARE(preview->filmstrip()->count(), preview->frame_count());
        // Sample 9 of a 64-sample grid of 8 columns, 28-pixel cells and 2-pixel gutters.
        QVERIFY(preview->inspect_sample(QPoint(2 + 1 * 30 + 10, 2 + 1 * 30 + 10)));
        QVERIFY2(preview->sample_details().contains("sample 9") && preview->sample_details().contains("class 9"),
                 qPrintable(preview->sample_details()));
        QVERIFY(!preview->inspect_sample(QPoint(1, 1)));  // the gutter
    }

    // A colour model of another size (a 3x32x32 TorchScript fixture) in the default graph: every
    // frame of the preview and the filmstrip is in colour, the inspector finds samples on the
    // 32-pixel grid, and Save Image writes a colour PNG.
    void a_colour_model_previews_in_colour() {
        MainWindow window(packs_, options());
        window.show();
        QVERIFY(window.open_file(IRL_GRAPHS_DIR "/default.json"));
        QVERIFY(window.document()->set_parameter("denoiser-1", "source", "torchscript"));
        QVERIFY(window.document()->set_parameter("denoiser-1", "file", IRL_FIXTURE_DIR "/conv-colour-raw.pt"));
        QVERIFY(window.document()->set_parameter("sampler-1", "count", 8));
        QVERIFY(window.document()->set_parameter("schedule-1", "steps", 4));
        QSignalSpy finished(&window, &MainWindow::run_finished);
        QVERIFY(window.run());
        QVERIFY(wait_finished(window, finished, 120000));
        QCOMPARE(finished.first().at(0).toBool(), true);
        PreviewPanel* preview = window.preview_panel();
        QVERIFY(preview->frame_count() >= 2);
        const auto coloured = [](const QImage& image) {
            for (int y = 0; y < image.height(); ++y)
                for (int x = 0; x < image.width(); ++x) {
                    const QColor c = image.pixelColor(x, y);
                    if (c.red() != c.green() || c.green() != c.blue()) return true;
                }
            return false;
        };
        for (int frame = 0; frame < preview->frame_count(); ++frame) {
            preview->show_frame(frame);
            QVERIFY2(coloured(preview->current_x()) && coloured(preview->current_denoised()), qPrintable(QString("frame %1").arg(frame)));
        }
        // 8 samples in 3 columns of 32-pixel cells with 2-pixel gutters: sample 4 is the middle one.
        QVERIFY(preview->inspect_sample(QPoint(2 + 34 + 16, 2 + 34 + 16)));
        QVERIFY2(preview->sample_details().contains("sample 4"), qPrintable(preview->sample_details()));
        const QImage saved(window.output_dir() + "/fashion.png");
        QVERIFY(!saved.isNull() && !saved.isGrayscale() && coloured(saved));
    }

    // Two runs that differ in their solver: Compare says so first, then the NFE of each; each History
    // thumbnail carries its solver and NFE.
    void compare_says_what_changed() {
        MainWindowOptions o = options();
        o.history_dir = home_.filePath("history-what-changed");
        MainWindow window(packs_, o);
        window.show();
        QVERIFY(window.open_file(IRL_GRAPHS_DIR "/toy-2d.json"));
        QVERIFY(window.document()->set_parameter("sampler-1", "count", 200));
        QSignalSpy finished(&window, &MainWindow::run_finished);
        QVERIFY(window.run());
        QVERIFY(wait_finished(window, finished, 60000));
        QVERIFY(window.document()->set_parameter("sampler-1", "solver", "dpmpp-2m"));
        QVERIFY(window.run());
        QVERIFY(QTest::qWaitFor([&] { return finished.count() == 2 && !window.running(); }, 60000));
        const QVector<HistoryEntry>& runs = window.history()->entries();
        QCOMPARE(runs.size(), 2);
        window.compare_runs(runs.last().id, runs.first().id);  // A: heun, B: dpmpp-2m
        const QString text = window.comparison_view()->metrics_text();
        QVERIFY2(text.startsWith("What changed, A → B:\nsampler-1.solver: heun → dpmpp-2m\n"), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("sampler-1.nfe: A %1 · B %2").arg(runs.last().numbers.value("sampler-1.nfe").toDouble())
                                   .arg(runs.first().numbers.value("sampler-1.nfe").toDouble())),
                 qPrintable(text));
        QVERIFY2(window.history_panel()->list()->item(0)->text().contains("dpmpp-2m · "), qPrintable(window.history_panel()->list()->item(0)->text()));
        QVERIFY2(window.history_panel()->list()->item(1)->text().contains("heun · "), qPrintable(window.history_panel()->list()->item(1)->text()));
        window.compare_runs(runs.first().id, runs.first().id);
        QVERIFY(window.comparison_view()->metrics_text().startsWith("The same graph"));
    }

    // Fit is the default zoom: 20 samples of the default graph show whole, without scrolling, at
    // the window size of the finding (1600x1000); the integer zooms still scroll.
    void preview_fits_its_pane() {
        MainWindow window(packs_, options());
        window.resize(1600, 1000);
        window.show();
        QVERIFY(window.open_file(IRL_GRAPHS_DIR "/default.json"));
        QVERIFY(window.document()->set_parameter("schedule-1", "steps", 3));
        QSignalSpy finished(&window, &MainWindow::run_finished);
        QVERIFY(window.run());
        QVERIFY(wait_finished(window, finished, 120000));
        window.show_preview_tab();
        PreviewPanel* preview = window.preview_panel();
        QCOMPARE(preview->denoised_view()->zoom(), 0);
        QTest::qWait(50);
        ZoomableImage* view = preview->denoised_view();
        QCOMPARE(view->horizontalScrollBar()->maximum(), 0);
        QCOMPARE(view->verticalScrollBar()->maximum(), 0);
        const QSize room = view->maximumViewportSize();
        const QSize shown = view->image().size() * view->scale();
        QVERIFY2(shown.width() <= room.width() && shown.height() <= room.height() &&
                     (shown.width() >= room.width() - 4 || shown.height() >= room.height() - 4),
                 qPrintable(QString("%1x%2 in %3x%4").arg(shown.width()).arg(shown.height()).arg(room.width()).arg(room.height())));
        // The integer zooms keep sharp pixels and scroll.
        preview->set_zoom(3);
        QVERIFY(view->verticalScrollBar()->maximum() > 0 || view->horizontalScrollBar()->maximum() > 0);
    }

    // The heat map greys what holds no learned probability (a fixed step, a step no trajectory
    // reached), and draws its legend below the σ labels, however short it is.
    void heat_map_greys_what_was_not_learned() {
        irl::nodes::ChoiceTable table;
        table.component = "start";
        table.choices = {0, 1, 2};
        table.probabilities = {{0.2, 0.5, 0.3}, {0.0, 0.0, 0.0}, {1.0 / 3, 1.0 / 3, 1.0 / 3}, {0.0, 0.0, 0.0}};
        table.active = {true, true, true, false};
        table.visited = {true, false, true, false};
        table.sigmas = {80, 20, 5, 1};
        ActionHeatMap map;
        map.set_tables({table, table});
        map.resize(600, map.minimumHeight());
        const QImage picture = map.grab().toImage();
        const auto colour_at = [&](const QRectF& r) { return picture.pixelColor(r.center().toPoint()); };
        QCOMPARE(colour_at(map.cell_rect(0, 0, 1)), ActionHeatMap::kNotVisited);
        QCOMPARE(colour_at(map.cell_rect(1, 2, 3)), ActionHeatMap::kFixed);
        QVERIFY(colour_at(map.cell_rect(0, 1, 0)) != ActionHeatMap::kNotVisited && colour_at(map.cell_rect(0, 1, 0)) != ActionHeatMap::kFixed);
        QVERIFY2(map.legend_rect().top() >= map.labels_bottom(),
                 qPrintable(QString("legend at %1, labels end at %2").arg(map.legend_rect().top()).arg(map.labels_bottom())));
        QVERIFY(map.legend_rect().bottom() <= map.height());
    }

    void history_keeps_runs_restores_them_and_survives_a_restart() {
        const QString history_dir = home_.filePath("history-restart");
        MainWindowOptions o = options();
        o.history_dir = history_dir;
        QString first_id;
        {
            MainWindow window(packs_, o);
            QVERIFY(window.open_file(IRL_GRAPHS_DIR "/toy-2d.json"));
            QSignalSpy finished(&window, &MainWindow::run_finished);
            QVERIFY(window.run());
            QVERIFY(wait_finished(window, finished, 60000));
            QVERIFY(window.document()->set_parameter("sampler-1", "seed", 11));
            QVERIFY(window.run());
            QVERIFY(QTest::qWaitFor([&] { return finished.count() == 2 && !window.running(); }, 60000));
            QCOMPARE(window.history()->entries().size(), 2);
            const HistoryEntry& newest = window.history()->entries().first();
            QCOMPARE(newest.seeds.value("sampler-1.seed").toInt(), 11);
            QVERIFY(newest.numbers.contains("evaluate-1.mean_log_density"));
            QVERIFY(!newest.picture().isNull());
            first_id = window.history()->entries().last().id;
            QCOMPARE(window.history_panel()->list()->count(), 2);
            // Two runs side by side.
            window.compare_runs(window.history()->entries().first().id, first_id);
            QVERIFY2(window.comparison_view()->metrics_text().contains("sampler-1.seed") ||
                         window.comparison_view()->metrics_text().contains("evaluate-1.mean_log_density"),
                     qPrintable(window.comparison_view()->metrics_text()));
            window.comparison_view()->set_mode(ComparisonView::Mode::Toggle);
            QVERIFY(window.comparison_view()->showing_first());
            window.comparison_view()->toggle();
            QVERIFY(!window.comparison_view()->showing_first());
        }
        // A new session reads the same history; restoring the first run brings back its seed.
        MainWindow window(packs_, o);
        QCOMPARE(window.history()->entries().size(), 2);
        QVERIFY(window.restore_run(first_id));
        QCOMPARE(window.document()->graph().node("sampler-1")->parameters.value("seed").toInt(), 0);
        QVERIFY(window.modified());
    }

    void a_queued_run_runs_after_the_current_one() {
        MainWindow window(packs_, options());
        QVERIFY(window.open_file(IRL_GRAPHS_DIR "/toy-2d.json"));
        QVERIFY(window.document()->set_parameter("schedule-1", "steps", 300));
        QVERIFY(window.document()->set_parameter("sampler-1", "count", 20000));
        QSignalSpy finished(&window, &MainWindow::run_finished);
        QVERIFY(window.run());
        QVERIFY(window.running());
        // Edited while it runs, then queued: the queue shows it and it runs as edited.
        QVERIFY(window.document()->set_parameter("schedule-1", "steps", 4));
        QVERIFY(window.document()->set_parameter("sampler-1", "count", 100));
        QVERIFY(window.run());
        QCOMPARE(window.queue_list()->count(), 1);
        QVERIFY(QTest::qWaitFor([&] { return finished.count() == 2 && !window.running(); }, 120000));
        QCOMPARE(window.queue_list()->count(), 0);
        QCOMPARE(window.history()->entries().first().numbers.value("sampler-1.nfe").toDouble(), 7.0);  // Heun, 4 steps
        QCOMPARE(window.history()->entries()[1].numbers.value("sampler-1.nfe").toDouble(), 599.0);  // the one before it
        // A queued run can be taken back before it starts.
        QVERIFY(window.document()->set_parameter("schedule-1", "steps", 300));
        QVERIFY(window.document()->set_parameter("sampler-1", "count", 20000));
        QVERIFY(window.run());
        QVERIFY(window.run());
        QCOMPARE(window.queue_list()->count(), 1);
        window.queue_list()->setCurrentRow(0);
        QTest::mouseClick(window.findChild<QPushButton*>("queue-remove"), Qt::LeftButton);
        QCOMPARE(window.queue_list()->count(), 0);
        window.cancel();
        QVERIFY(QTest::qWaitFor([&] { return finished.count() == 3 && !window.running(); }, 60000));
        QTest::qWait(200);
        QVERIFY(!window.running());
    }

    void save_reload_title_and_png_drop() {
        MainWindow window(packs_, options());
        QVERIFY(window.open_file(IRL_GRAPHS_DIR "/default.json"));
        QVERIFY(!window.modified());
        QVERIFY(window.windowTitle().contains("default.json"));
        QVERIFY(window.document()->set_parameter("sampler-1", "seed", 7));
        QVERIFY(window.modified());
        QVERIFY(window.isWindowModified());
        const QString path = home_.filePath("saved.irlgraph");
        QVERIFY(window.save_to(path));
        QVERIFY(!window.modified());
        QVERIFY(window.windowTitle().contains("saved.irlgraph"));
        const QByteArray saved = irl::nodes::write_graph(window.document()->graph());
        window.new_graph();
        QCOMPARE(window.document()->graph().nodes().size(), 0);
        QVERIFY(window.open_file(path));
        QCOMPARE(irl::nodes::write_graph(window.document()->graph()), saved);
        QVERIFY(QSettings().value("recent-files").toStringList().contains(QFileInfo(path).absoluteFilePath()));

        // A PNG written by Save Image carries the graph: dropping it on the window opens it.
        QVERIFY(window.document()->set_parameter("sampler-1", "count", 2));
        QVERIFY(window.document()->set_parameter("schedule-1", "steps", 2));
        QSignalSpy finished(&window, &MainWindow::run_finished);
        QVERIFY(window.run());
        QVERIFY(wait_finished(window, finished, 60000));
        const QString png = window.output_dir() + "/fashion.png";
        QVERIFY(QFileInfo::exists(png));
        const QByteArray ran = irl::nodes::write_graph(window.document()->graph());
        window.new_graph();
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(png)});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&window, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&window, &drop);
        QCOMPARE(irl::nodes::write_graph(window.document()->graph()), ran);
        // A picture without a graph becomes a Load Image node reading it, one undo step.
        const QString picture = home_.filePath("plain.png");
        QImage(20, 10, QImage::Format_RGB32).save(picture);
        mime.setUrls({QUrl::fromLocalFile(picture)});
        QDragEnterEvent enter_picture(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&window, &enter_picture);
        QVERIFY(enter_picture.isAccepted());
        const qsizetype nodes = window.document()->graph().nodes().size();
        QDropEvent drop_picture(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&window, &drop_picture);
        QCOMPARE(window.document()->graph().nodes().size(), nodes + 1);
        const irl::nodes::Node& added = window.document()->graph().nodes().last();
        QCOMPARE(added.type, QString("irl.load_image"));
        QCOMPARE(added.parameters.value("file").toString(), picture);
        window.document()->undo_stack()->undo();
        QCOMPARE(window.document()->graph().nodes().size(), nodes);
    }

    void interactive_training() {
        MainWindow window(packs_, options());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.open_file(IRL_GRAPHS_DIR "/train-policy-toy.json"));
        window.save_to(home_.filePath("train.irlgraph"));
        auto* doc = window.document();
        QVERIFY(doc->set_parameter("irl_trainer-1", "iterations", 400));
        QVERIFY(doc->set_parameter("irl_trainer-1", "batch", 64));
        QVERIFY(doc->set_parameter("irl_trainer-1", "eval_every", 2));
        QVERIFY(doc->set_parameter("irl_trainer-1", "eval_count", 64));
        TrainingView* training = window.training_view();
        QCOMPARE(training->trainer(), QString("irl_trainer-1"));
        QSignalSpy finished(&window, &MainWindow::run_finished);
        QTest::mouseClick(training->findChild<QPushButton*>("train-start"), Qt::LeftButton);
        QVERIFY(window.running());
        QVERIFY(QTest::qWaitFor([&] { return training->iterations_shown() >= 3; }, 60000));
        QVERIFY(!training->series_points("discriminator_loss").isEmpty());
        QVERIFY(!training->series_points("mean_reward").isEmpty());
        QVERIFY(!training->series_points("fd").isEmpty());
        QVERIFY(!training->heat_map()->tables().isEmpty());
        QVERIFY(!training->latest_samples().isNull());
        // The progress bar holds the trainer's name and its percentage on one line.
        const QFontMetrics metrics(window.progress_bar()->font());
        QVERIFY2(window.progress_bar()->width() >= metrics.horizontalAdvance("irl_trainer-1  100%") + 8,
                 qPrintable(QString("%1 px for '%2'").arg(window.progress_bar()->width()).arg(window.progress_bar()->text())));

        // Pause: no iteration arrives while paused; a checkpoint can still be written.
        QTest::mouseClick(training->findChild<QPushButton*>("train-pause"), Qt::LeftButton);
        QVERIFY(window.runner()->training_paused());
        // The engine serves checkpoint requests at the iteration boundary and while paused, so
        // once the file exists the iteration in flight when Pause was pressed is done and no
        // other starts; the wait after it lets that iteration's queued preview arrive.
        QTest::mouseClick(training->findChild<QPushButton*>("train-checkpoint"), Qt::LeftButton);
        const QString checkpoint = window.output_dir() + "/irl_trainer-1-checkpoint.pt";
        QVERIFY(QTest::qWaitFor([&] { return QFileInfo::exists(checkpoint); }, 10000));
        QTest::qWait(300);
        const int paused_at = training->iterations_shown();
        QTest::qWait(400);
        QCOMPARE(training->iterations_shown(), paused_at);
        QVERIFY(window.running());

        // Resume, then Stop: training ends early and keeps the policy.
        QTest::mouseClick(training->findChild<QPushButton*>("train-pause"), Qt::LeftButton);
        QVERIFY(!window.runner()->training_paused());
        QVERIFY(QTest::qWaitFor([&] { return training->iterations_shown() > paused_at; }, 30000));
        QTest::mouseClick(training->findChild<QPushButton*>("train-stop"), Qt::LeftButton);
        QVERIFY(wait_finished(window, finished, 30000));
        QCOMPARE(finished.first().at(0).toBool(), true);
        QVERIFY(training->iterations_shown() < 400);
        QVERIFY(QFileInfo::exists(window.output_dir() + "/ring8-policy.pt"));
        // It says which policy it kept.
        QVERIFY2(training->findChild<QLabel*>("training-status")->text().contains("Kept "),
                 qPrintable(training->findChild<QLabel*>("training-status")->text()));

        // The held-out FD of the greedy policy, beside its start's and the best classic solver's at
        // the same NFE (every solver over sigma_max x rho, on the same held-out test) as flat
        // lines across the chart.
        QVERIFY(!training->series_points("validation_fd").isEmpty());
        QCOMPARE(training->series_points("start_fd").size(), 2);
        QVERIFY(training->charts()->charts().contains("Validation (held out)"));
        const QList<QPointF> classic = training->series_points("best_classic_fd");
        QCOMPARE(classic.size(), 2);
        QCOMPARE(classic.front().x(), 0.0);
        QCOMPARE(classic.front().y(), classic.back().y());
        QVERIFY(classic.back().x() >= training->series_points("fd").back().x());
        QVERIFY(std::isfinite(classic.front().y()) && classic.front().y() > 0);
        // The start (Euler on EDM's schedule: churn 0 is the untrained table's first choice) is one
        // of the grid's settings, scored on the same samples: the best classic is at least as good.
        const QList<QPointF> start = training->series_points("start_fd");
        QVERIFY2(classic.front().y() <= start.front().y() * (1 + 1e-3),
                 qPrintable(QString("best classic %1, start %2").arg(classic.front().y()).arg(start.front().y())));

        // The result feeds a Policy node and a Sampler that samples with it as the trainer trained
        // (a trainer told to train unconditionally gives an unconditional Sampler, class -2).
        QVERIFY(doc->set_parameter("irl_trainer-1", "labels", "unconditional"));
        const int before = doc->graph().nodes().size();
        QTest::mouseClick(training->findChild<QPushButton*>("train-use"), Qt::LeftButton);
        QCOMPARE(doc->graph().nodes().size(), before + 2);
        const irl::nodes::Node loader = doc->graph().nodes().at(before), sampler = doc->graph().nodes().last();
        QCOMPARE(loader.type, QString("irl.policy"));
        QVERIFY(loader.parameters.value("file").toString().endsWith("ring8-policy.pt"));
        QCOMPARE(sampler.type, QString("irl.sampler"));
        QCOMPARE(sampler.parameters.value("solver").toString(), QString("euler"));
        QCOMPARE(sampler.parameters.value("class").toInt(), -2);
        auto linked = [&](const QString& from, const QString& port) {
            for (const irl::nodes::Link& l : doc->graph().links())
                if (l.to.node == sampler.id && l.to.port == port) return l.from.node == from;
            return false;
        };
        QVERIFY(linked(loader.id, "policy"));
        QVERIFY(linked("denoiser-1", "denoiser"));
        QVERIFY(linked("schedule-1", "schedule"));
        // It runs: the policy file fits the sampler it was put on.
        finished.clear();
        QVERIFY(window.run({sampler.id}));
        QVERIFY(wait_finished(window, finished, 30000));
        QCOMPARE(finished.first().at(0).toBool(), true);
        doc->undo_stack()->undo();
        QCOMPARE(doc->graph().nodes().size(), before);
    }

    void a_third_party_trainer_gets_the_training_view() {
        // The test pack's trainer has another id than the built-in one: its traits alone give it
        // the training view, its curves, Stop, and "Use result" with its own loader node.
        MainWindow window(packs_, options());
        window.show();
        window.save_to(home_.filePath("counter.irlgraph"));
        auto* doc = window.document();
        const QString trainer = doc->add_node("test.counter_trainer", QPointF(0, 0));
        QVERIFY(!trainer.isEmpty());
        QVERIFY(doc->set_parameter(trainer, "iterations", 5000));
        TrainingView* training = window.training_view();
        QCOMPARE(training->trainer(), trainer);
        QSignalSpy finished(&window, &MainWindow::run_finished);
        QTest::mouseClick(training->findChild<QPushButton*>("train-start"), Qt::LeftButton);
        QVERIFY(window.running());
        QVERIFY(QTest::qWaitFor([&] { return training->iterations_shown() >= 3; }, 30000));
        QVERIFY(!training->series_points("count").isEmpty());
        QTest::mouseClick(training->findChild<QPushButton*>("train-stop"), Qt::LeftButton);
        QVERIFY(wait_finished(window, finished, 30000));
        QVERIFY(training->iterations_shown() < 5000);
        const QString file = window.output_dir() + "/" + trainer + "-count.txt";
        QVERIFY(QFileInfo::exists(file));
        const int before = doc->graph().nodes().size();
        QTest::mouseClick(training->findChild<QPushButton*>("train-use"), Qt::LeftButton);
        QCOMPARE(doc->graph().nodes().size(), before + 1);
        const irl::nodes::Node& added = doc->graph().nodes().last();
        QCOMPARE(added.type, QString("test.count_reader"));
        QCOMPARE(added.parameters.value("file").toString(), file);
        QCOMPARE(added.parameters.value("scale").toDouble(), 2.0);
    }

    void autosave_and_restore() {
        const QString autosave_dir = home_.filePath("autosave");
        QByteArray edited;
        {
            MainWindow window(packs_, options());
            QVERIFY(window.open_file(IRL_GRAPHS_DIR "/default.json"));
            QVERIFY(window.document()->set_parameter("sampler-1", "seed", 99));
            edited = irl::nodes::write_graph(window.document()->graph());
            window.autosave_now();
            QVERIFY(QFileInfo::exists(window.autosave_file()));
            // Nothing to restore while this studio runs.
            QVERIFY(MainWindow::pending_recovery(autosave_dir).isEmpty());
            // Simulate a crash: keep the autosave under a process id that no longer exists.
            QVERIFY(QFile::copy(window.autosave_file(), autosave_dir + "/session-999999999.irlgraph"));
        }
        const QString pending = MainWindow::pending_recovery(autosave_dir);
        QVERIFY(pending.endsWith("session-999999999.irlgraph"));
        MainWindow window(packs_, options());
        QVERIFY(window.restore_from(pending));
        QCOMPARE(irl::nodes::write_graph(window.document()->graph()), edited);
        QVERIFY(window.modified());
        QVERIFY(window.file_path().endsWith("default.json"));
        QVERIFY(MainWindow::pending_recovery(autosave_dir).isEmpty());
    }

    // A run record and an autosave left damaged (a crash while writing, a full disk, a bad
    // sector): the studio starts, says what it skipped in the Log tab, and keeps the files.
    void damaged_history_and_autosave_do_not_block_the_start() {
        MainWindowOptions o = options();
        o.history_dir = home_.filePath("history-damaged");
        o.autosave_dir = home_.filePath("autosave-damaged");
        QVERIFY(QDir().mkpath(o.history_dir + "/20260101-000000-000"));
        QFile record(o.history_dir + "/20260101-000000-000/entry.json");
        QVERIFY(record.open(QIODevice::WriteOnly));
        record.write("{\"time\": \"2026-01-01T00:00:00.000\", \"status\": \"do");  // cut short
        record.close();
        QVERIFY(QDir().mkpath(o.autosave_dir));
        const QString autosave = o.autosave_dir + "/session-999999998.irlgraph";
        QFile garbage(autosave);
        QVERIFY(garbage.open(QIODevice::WriteOnly));
        garbage.write(QByteArray("\x89PNG\r\n\x1a\n\xff\xfe", 10).repeated(30));
        garbage.close();

        MainWindow window(packs_, o);
        auto* log = window.findChild<QPlainTextEdit*>("log");
        QVERIFY(log);
        QVERIFY(window.history()->entries().isEmpty());
        QVERIFY2(log->toPlainText().contains("skipped the run record") && log->toPlainText().contains("20260101-000000-000"),
                 qPrintable(log->toPlainText()));
        QCOMPARE(MainWindow::pending_recovery(o.autosave_dir), autosave);
        QVERIFY(!window.restore_from(autosave));
        QVERIFY2(log->toPlainText().contains("could not be restored") && log->toPlainText().contains("session-999999998"),
                 qPrintable(log->toPlainText()));
        QVERIFY(QFileInfo::exists(o.autosave_dir + "/unrestored-session-999999998.irlgraph"));
        QVERIFY(MainWindow::pending_recovery(o.autosave_dir).isEmpty());  // not offered again
        // The studio goes on as usual.
        QVERIFY(window.open_file(IRL_GRAPHS_DIR "/default.json"));
        QVERIFY(QFileInfo::exists(o.history_dir + "/20260101-000000-000/entry.json"));
    }
};

QTEST_MAIN(TestStudio)
#include "test_studio.moc"
