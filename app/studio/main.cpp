// irlstudio: the studio window. Opens a graph file (default: the bundled default pipeline),
// offers to restore the autosave a crashed session left, and has two scripted modes:
//   --screenshot FILE [--train] [--iterations N]  run (or train), then save a picture of the window
//   --screenshot FILE --history | --compare        two runs (the second with another seed, or with
//                                                  DPM-Solver++), then the History or Compare tab
//   --bench-stall [--json]                         measure event-loop stalls while sampling and training
#include "main_window.h"
#include "stall_monitor.h"
#include "theme.h"
#include "training_view.h"
#include "comparison_view.h"
#include "history_panel.h"
#include "run_history.h"

#include "graph_document.h"
#include "node_scene.h"
#include "preview_panel.h"
#include "irl/engine/core/compute.h"
#include "irl/engine/core/resources.h"
#include "irl/nodes/graph_runner.h"
#include "irl/nodes/plugin_loader.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QIcon>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>

#include <cstdio>
#include <iostream>

using irl::studio::MainWindow;

namespace {

QString bundled_graph(const QString& name) {
    try {
        return QString::fromStdString(irl::find_resource("graphs/" + name.toStdString()));
    } catch (const std::exception&) {
        return {};
    }
}

// Runs the open graph (or trains its first trainer) and returns when the run has finished.
bool run_and_wait(MainWindow& window, bool train, int iterations) {
    QEventLoop loop;
    bool ok = false;
    QObject::connect(&window, &MainWindow::run_finished, &loop, [&](bool success, bool) {
        ok = success;
        loop.quit();
    });
    if (train) {
        const QString trainer = window.training_view()->trainer();
        if (trainer.isEmpty()) return false;
        if (iterations > 0) window.document()->set_parameter(trainer, "iterations", iterations);
        window.show_training_tab();
        Q_EMIT window.training_view()->start_requested(trainer);
    } else if (!window.run()) {
        return false;
    }
    loop.exec();
    return ok;
}

int screenshot(MainWindow& window, const QString& file, bool train, int iterations, const QString& tab) {
    window.show();
    QApplication::processEvents();
    bool ok = run_and_wait(window, train, iterations);
    if (ok && !tab.isEmpty()) {
        // A second run to browse or to compare with: DPM-Solver++ for a comparison, another seed for the history.
        if (tab == "compare") window.document()->set_parameter("sampler-1", "solver", "dpmpp-2m");
        else window.document()->set_parameter("sampler-1", "seed", 1);
        ok = run_and_wait(window, false, 0);
        const auto& entries = window.history()->entries();
        if (ok && entries.size() >= 2) {
            if (tab == "compare") {
                window.compare_runs(entries[1].id, entries[0].id);
                window.comparison_view()->set_mode(irl::studio::ComparisonView::Mode::Swipe);
            } else {
                window.history_panel()->select({entries[0].id});
                window.show_tab("History");
            }
        }
    }
    // Show the inspector on the node that did the work, and, after sampling, a step in the
    // middle of the filmstrip, where the noisy state and the prediction still differ.
    const QString focus = train ? window.training_view()->trainer() : QStringLiteral("sampler-1");
    if (window.document()->graph().node(focus)) window.scene()->select_nodes({focus});
    if (!train && tab.isEmpty()) {
        window.show_preview_tab();
        window.preview_panel()->show_frame(window.preview_panel()->frame_count() * 2 / 3);
    }
    // Let the last previews and the layout settle before grabbing.
    QEventLoop settle;
    QTimer::singleShot(400, &settle, &QEventLoop::quit);
    settle.exec();
    if (!window.grab().save(file)) {
        std::cerr << "irlstudio: cannot write " << file.toStdString() << "\n";
        return 1;
    }
    std::cout << "irlstudio: wrote " << file.toStdString() << (ok ? "" : " (the run did not succeed)") << "\n";
    return ok ? 0 : 3;
}

int bench_stall(const irl::nodes::NodePacks& packs, bool json) {
    QTemporaryDir autosave;
    irl::studio::MainWindowOptions options;
    options.autosave_dir = autosave.path();
    options.ask_before_discarding = false;
    QJsonObject report;
    struct Case {
        const char* name;
        const char* graph;
        bool train;
    };
    for (const Case& c : {Case{"sampling", "default.json", false}, Case{"training", "train-policy-toy.json", true}}) {
        MainWindow window(packs, options);
        window.show();
        const QString graph = bundled_graph(c.graph);
        if (graph.isEmpty() || !window.open_file(graph)) {
            std::cerr << "irlstudio: cannot open the bundled graph " << c.graph << "\n";
            return 2;
        }
        QApplication::processEvents();
        irl::studio::StallMonitor monitor;
        monitor.start();
        const bool ok = run_and_wait(window, c.train, 0);
        const irl::studio::StallStats stats = monitor.stop();
        report.insert(c.name, QJsonObject{{"ok", ok},
                                          {"seconds", stats.seconds},
                                          {"ticks", stats.ticks},
                                          {"max_stall_ms", stats.max_gap_ms},
                                          {"p99_ms", stats.p99_gap_ms},
                                          {"stalls_over_50ms", stats.over_50ms}});
    }
    double worst = 0;
    for (const char* name : {"sampling", "training"}) worst = std::max(worst, report.value(name).toObject().value("max_stall_ms").toDouble());
    report.insert("max_stall_ms", worst);
    report.insert("bar_ms", 50);
    if (json) {
        std::cout << QJsonDocument(report).toJson(QJsonDocument::Compact).toStdString() << "\n";
    } else {
        for (const char* name : {"sampling", "training"}) {
            const QJsonObject o = report.value(name).toObject();
            std::printf("%-9s %6.1f s, %6d ticks, longest stall %6.1f ms, p99 %5.1f ms, %d over 50 ms\n", name,
                        o.value("seconds").toDouble(), o.value("ticks").toInt(), o.value("max_stall_ms").toDouble(),
                        o.value("p99_ms").toDouble(), o.value("stalls_over_50ms").toInt());
        }
    }
    return worst <= 50.0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("irlstudio");
    QApplication::setOrganizationName("irlstudio");
    QApplication::setApplicationDisplayName("IRL Sampler Studio");
    QApplication::setDesktopFileName("org.irlstudio.Studio");
    QApplication::setWindowIcon(QIcon::fromTheme("org.irlstudio.Studio"));  // installed by the package
    irl::studio::apply_theme(app);
    // The engine thread's tensor work uses every core; the window has a thread of its own.
    irl::keep_freed_memory_for_reuse();
    irl::use_compute_threads(irl::default_compute_threads());

    QCommandLineParser parser;
    parser.setApplicationDescription("IRL Sampler Studio: wire diffusion samplers as node graphs and learn sampling policies");
    parser.addHelpOption();
    parser.addPositionalArgument("file", "A graph file (.irlgraph, .json) or a PNG saved by the studio");
    parser.addOption({"screenshot", "Run the graph, save a picture of the window to FILE and quit.", "FILE"});
    parser.addOption({"train", "With --screenshot: train the first IRL Trainer instead of running the graph."});
    parser.addOption({"iterations", "With --screenshot --train: training iterations.", "N", "0"});
    parser.addOption({"history", "With --screenshot: run twice and show the History tab."});
    parser.addOption({"compare", "With --screenshot: run, run again with DPM-Solver++, and compare the two."});
    parser.addOption({"bench-stall", "Measure the longest event-loop stall while sampling and training, then quit."});
    parser.addOption({"json", "With --bench-stall: print JSON."});
    parser.addOption({"no-restore", "Do not offer to restore an autosaved session."});
    parser.process(app);

    irl::nodes::NodePacks packs;
    packs.load();
    if (packs.registry().ids().isEmpty()) {
        QMessageBox::critical(nullptr, "IRL Sampler Studio",
                              "No node packs were found (searched: " + irl::nodes::plugin_folders().join(", ") + ").");
        return 2;
    }
    if (parser.isSet("bench-stall")) return bench_stall(packs, parser.isSet("json"));

    const bool scripted = parser.isSet("screenshot");
    irl::studio::MainWindowOptions options;
    if (scripted) {
        options.ask_before_discarding = false;
        options.autosave_dir = QDir::temp().filePath("irlstudio-screenshot-autosave");
        options.history_dir = QDir::temp().filePath("irlstudio-screenshot-history-%1").arg(QCoreApplication::applicationPid());
    }
    MainWindow window(packs, options);
    const QStringList files = parser.positionalArguments();
    const QString file = files.isEmpty() ? bundled_graph("default.json") : files.first();

    const QString recovery = (scripted || parser.isSet("no-restore")) ? QString() : MainWindow::pending_recovery({});
    bool restored = false;
    if (!recovery.isEmpty()) {
        const auto answer = QMessageBox::question(nullptr, "IRL Sampler Studio",
                                                  "The studio closed unexpectedly last time. Restore the graph it autosaved?",
                                                  QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
        if (answer == QMessageBox::Yes)
            restored = window.restore_from(recovery);
        else
            QFile::remove(recovery);
    }
    if (!restored && !file.isEmpty()) window.open_file(file);
    if (scripted) {
        const QString tab = parser.isSet("compare") ? "compare" : parser.isSet("history") ? "history" : QString();
        const int code = screenshot(window, parser.value("screenshot"), parser.isSet("train"), parser.value("iterations").toInt(), tab);
        QDir(window.history()->folder()).removeRecursively();
        return code;
    }
    window.show();
    return app.exec();
}
