// The engine thread: a run starts without blocking the caller, its nodes run on another thread,
// signals arrive queued, cancel stops it, and the cache survives between runs.
#include "irl/nodes/graph_file.h"
#include "irl/nodes/soak.h"
#include "irl/nodes/graph_runner.h"

#include <QtTest/QtTest>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>

using namespace irl::nodes;

class TestGraphRunner : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { packs_.load({IRL_PLUGIN_BUILD_DIR}); }
    void runsOnTheEngineThread();
    void cancelFromTheGuiThread();
    void soakOfRunAndCancel();

private:
    Graph toy() const {
        const GraphLoadResult r = load_graph_file(IRL_GRAPHS_DIR "/toy-2d.json", packs_.registry());
        return *r.graph;
    }
    NodePacks packs_;
};

void TestGraphRunner::runsOnTheEngineThread() {
    GraphRunner runner(packs_);
    QTemporaryDir out;
    QThread* const gui = QThread::currentThread();
    // Receivers, even direct ones, run on the runner's thread, never on the engine thread.
    bool all_on_gui_thread = true;
    connect(&runner, &GraphRunner::node_status, &runner,
            [&](const QString&, int, const QString&) { all_on_gui_thread &= QThread::currentThread() == gui; },
            Qt::DirectConnection);
    // While the nodes run, this thread's event loop keeps serving timers: the work is elsewhere.
    int ticks_while_running = 0;
    int running_statuses = 0;
    QSignalSpy finished(&runner, &GraphRunner::finished);
    connect(&runner, &GraphRunner::node_status, &runner, [&](const QString&, int status, const QString&) {
        if (status == static_cast<int>(NodeStatus::Running)) ++running_statuses;
    });
    QTimer ticker;
    ticker.setInterval(1);
    connect(&ticker, &QTimer::timeout, &runner, [&] {
        if (running_statuses > 0 && finished.isEmpty()) ++ticks_while_running;
    });
    ticker.start();
    QSignalSpy statuses(&runner, &GraphRunner::node_status);
    // Enough particles that sampling takes a good fraction of a second, so the ticks above
    // are not left to chance.
    Graph graph = toy();
    QVERIFY(graph.set_parameter("sampler-1", "count", 40000));
    QVERIFY(runner.start(graph, out.path()));
    QVERIFY(runner.busy());
    QVERIFY(!runner.start(graph, out.path()));  // one run at a time
    QVERIFY(finished.isEmpty());                // delivered through this thread's event loop only
    QVERIFY(finished.wait(60000));
    const RunOutcome outcome = finished.first().first().value<RunOutcome>();
    QVERIFY2(outcome.ok, qPrintable(outcome.error));
    QVERIFY(all_on_gui_thread);
    QVERIFY(runner.engine_thread() != gui && runner.engine_thread()->isRunning());
    QVERIFY2(ticks_while_running > 0, "the caller's event loop must run while the graph runs");
    qInfo("%d timer ticks while the graph ran for %.2f s", ticks_while_running, outcome.seconds);
    QVERIFY(statuses.size() >= 10);  // pending + running + done for each node
    QVERIFY(!runner.busy());
    // The second run comes from the cache. It finishes in a few milliseconds, but the outcome
    // cannot slip past the spy: it is queued to this thread.
    QVERIFY(runner.start(graph, out.path()));
    QVERIFY(finished.size() == 1);
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.size(), 2);
    QCOMPARE(finished.last().first().value<RunOutcome>().nodes.value("sampler-1").status, NodeStatus::Cached);
}

void TestGraphRunner::cancelFromTheGuiThread() {
    GraphRunner runner(packs_);
    QTemporaryDir out;
    Graph graph = toy();
    QVERIFY(graph.set_parameter("schedule-1", "steps", 1000));
    QVERIFY(graph.set_parameter("sampler-1", "count", 50000));
    QSignalSpy finished(&runner, &GraphRunner::finished);
    QSignalSpy progress(&runner, &GraphRunner::progress);
    QVERIFY(runner.start(graph, out.path()));
    QVERIFY(progress.wait(30000));  // sampling has begun
    runner.cancel();
    QVERIFY(finished.wait(30000));
    QVERIFY(finished.first().first().value<RunOutcome>().cancelled);
}

void TestGraphRunner::soakOfRunAndCancel() {
    // The short version of `irlstudio-cli bench soak`: 60 runs, each cancelled after a random
    // number of progress reports; memory and threads settle after the first cycles.
    Graph graph = toy();
    QVERIFY(graph.set_parameter("schedule-1", "steps", 40));
    QVERIFY(graph.set_parameter("sampler-1", "count", 4000));
    QTemporaryDir out;
    SoakOptions options;
    options.cycles = 60;
    options.seed = 3;
    options.sampler = "sampler-1";
    options.max_progress = 60;  // some runs end before their cancel arrives
    options.output_dir = out.path();
    ProcessFigures at_10;
    const SoakReport r = soak_graph_runner(packs_, graph, options, [&](const SoakCycle& c) {
        if (c.cycle == 10) at_10 = c.after;
    });
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
    QCOMPARE(r.cycles, 60);
    QVERIFY2(r.cancelled > 0 && r.cancelled < 60, qPrintable(QString::number(r.cancelled)));
    qInfo("rss %.1f MiB after cycle 10, %.1f after 60; threads %d after cycle 1, %d after 60, %d with the runner gone",
          at_10.rss_mib, r.last.rss_mib, r.warm.threads, r.last.threads, r.after_runner.threads);
    QVERIFY(r.last.rss_mib > 0.0);
#if defined(__SANITIZE_ADDRESS__)
    // AddressSanitizer holds freed memory in its quarantine, so resident memory says nothing about
    // leaks in such a build, and its leak report is off for the tests (LibTorch's globals): under
    // the sanitizers this soak checks errors and threads only; the bound holds in the normal build.
    qInfo("resident-memory bound not checked under AddressSanitizer");
#else
    QVERIFY(r.last.rss_mib <= at_10.rss_mib + 20.0);
#endif
    QCOMPARE(r.last.threads, r.warm.threads);
    // The engine thread ends with the runner (the kernel may count it for a moment after the join).
    QTRY_VERIFY_WITH_TIMEOUT(process_figures().threads < r.last.threads, 5000);
}

QTEST_GUILESS_MAIN(TestGraphRunner)
#include "test_graph_runner.moc"
