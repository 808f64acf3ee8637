// The engine thread: a run starts without blocking the caller, its nodes run on another thread,
// signals arrive queued, cancel stops it, and the cache survives between runs.
#include "irl/nodes/graph_file.h"
#include "irl/nodes/graph_runner.h"

#include <QtTest/QtTest>
#include <QSignalSpy>
#include <QTemporaryDir>

using namespace irl::nodes;

class TestGraphRunner : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { packs_.load({IRL_PLUGIN_BUILD_DIR}); }
    void runsOnTheEngineThread();
    void cancelFromTheGuiThread();

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
    QThread* seen = nullptr;
    connect(&runner, &GraphRunner::node_status, &runner, [&](const QString&, int, const QString&) { seen = QThread::currentThread(); },
            Qt::DirectConnection);
    QSignalSpy finished(&runner, &GraphRunner::finished);
    QSignalSpy statuses(&runner, &GraphRunner::node_status);
    QVERIFY(runner.start(toy(), out.path()));
    QVERIFY(!runner.start(toy(), out.path()));  // one run at a time
    QVERIFY(finished.wait(60000));
    const RunOutcome outcome = finished.first().first().value<RunOutcome>();
    QVERIFY2(outcome.ok, qPrintable(outcome.error));
    QVERIFY(seen && seen != QThread::currentThread() && seen == runner.engine_thread());
    QVERIFY(statuses.size() >= 10);  // pending + running + done for each node
    QVERIFY(!runner.busy());
    // The second run comes from the cache.
    QVERIFY(runner.start(toy(), out.path()));
    QVERIFY(finished.wait(60000));
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

QTEST_GUILESS_MAIN(TestGraphRunner)
#include "test_graph_runner.moc"
