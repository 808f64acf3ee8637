// The window's run history and its responsiveness probe, without a window: the history keeps at
// most its count and size (the oldest go first, from disk too), a later session restores what an
// earlier one recorded (damaged records skipped, each named), and a changed model file is noticed; the stall
// monitor measures a blocked event loop as a gap of at least the time it was blocked.
#include "run_history.h"
#include "stall_monitor.h"

#include "irl/nodes/executor.h"
#include "irl/nodes/graph.h"
#include "irl/nodes/plugin_loader.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>
#include <QtTest/QtTest>

using namespace irl::nodes;
using namespace irl::studio;

class TestRunHistory : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        packs_.load({IRL_PLUGIN_BUILD_DIR});
        QVERIFY(packs_.registry().find("irl.denoiser"));
    }

    void keepsItsBoundsAndRestores() {
        QTemporaryDir dir;
        QFile model(dir.filePath("model.pt"));
        QVERIFY(model.open(QIODevice::WriteOnly));
        model.write("weights v1");
        model.close();
        Graph graph(&packs_.registry());
        const QString denoiser = graph.add_node("irl.denoiser"), sampler = graph.add_node("irl.sampler");
        graph.set_parameter(denoiser, "source", "torchscript");
        graph.set_parameter(denoiser, "file", model.fileName());
        graph.set_parameter(sampler, "seed", 17);
        QImage picture(8, 8, QImage::Format_RGB32);
        picture.fill(Qt::gray);

        const QString folder = dir.filePath("history");
        QStringList ids;
        {
            RunHistory history(folder, 3);
            for (int run = 0; run < 5; ++run) {
                RunOutcome outcome;
                outcome.ok = run != 3;
                outcome.error = run == 3 ? "sampler-1: failed on purpose" : "";
                outcome.seconds = run;
                outcome.order = {sampler};
                outcome.nodes[sampler].numbers = {{"fd", 10.0 + run}};
                ids << history.add(graph, outcome, picture, "graph.json").id;
            }
            // Three kept, newest first; the two oldest are gone from disk as well.
            QCOMPARE(history.entries().size(), qsizetype(3));
            QCOMPARE(history.entries().front().id, ids[4]);
            QCOMPARE(history.entries().back().id, ids[2]);
            QVERIFY(!QFileInfo::exists(QDir(folder).filePath(ids[0])));
            QVERIFY(!QFileInfo::exists(QDir(folder).filePath(ids[1])));
            QVERIFY(QFileInfo::exists(history.entries().front().graph_path()));
        }
        // Damaged records next to the good ones are skipped, each with a sentence naming it, and
        // left on disk: not JSON, a good record cut in half, binary garbage, JSON without its
        // time, and a folder whose record was never written.
        QFile good(QDir(folder).filePath(ids[4] + "/entry.json"));
        QVERIFY(good.open(QIODevice::ReadOnly));
        const QByteArray whole = good.readAll();
        good.close();
        const QList<std::pair<QString, QByteArray>> damaged = {
            {"99999999-not-json", "{ not json"},
            {"99999999-truncated", whole.left(whole.size() / 2)},
            {"99999999-garbage", QByteArray("\x00\xff\x13PK\x03\x04\x9c", 8).repeated(50)},
            {"99999999-no-time", "{\"status\": \"done\"}"},
            {"99999999-no-record", {}}};
        for (const auto& [name, bytes] : damaged) {
            QVERIFY(QDir(folder).mkpath(name));
            if (bytes.isEmpty()) continue;
            QFile junk(QDir(folder).filePath(name + "/entry.json"));
            QVERIFY(junk.open(QIODevice::WriteOnly));
            junk.write(bytes);
            junk.close();
        }

        RunHistory restored(folder, 3);
        restored.load();
        QCOMPARE(restored.entries().size(), qsizetype(3));
        QCOMPARE(restored.problems().size(), damaged.size());
        for (const auto& [name, bytes] : damaged) {
            QVERIFY2(restored.problems().filter(name).size() == 1, qPrintable(restored.problems().join('\n')));
            QVERIFY(QFileInfo::exists(QDir(folder).filePath(name)));
        }
        const HistoryEntry* failed = restored.find(ids[3]);
        QVERIFY(failed);
        QCOMPARE(failed->status, QString("failed"));
        QCOMPARE(failed->error, QString("sampler-1: failed on purpose"));
        QCOMPARE(failed->numbers.value(sampler + ".fd").toDouble(), 13.0);
        QCOMPARE(failed->seeds.value(sampler + ".seed").toInt(), 17);
        QCOMPARE(failed->source, QString("graph.json"));
        QVERIFY(!failed->picture().isNull());
        QVERIFY(restored.changed_files(*failed).isEmpty());
        // The model file changes: the entry says so.
        QVERIFY(model.open(QIODevice::WriteOnly));
        model.write("weights v2");
        model.close();
        QCOMPARE(restored.changed_files(*failed), QStringList{model.fileName()});

        // The size bound: a history of at most 1 byte keeps only the newest entry.
        RunHistory small(dir.filePath("small"), 100, 1);
        RunOutcome ok;
        ok.ok = true;
        small.add(graph, ok, picture, "");
        const QString newest = small.add(graph, ok, picture, "").id;
        QCOMPARE(small.entries().size(), qsizetype(1));
        QCOMPARE(small.entries().front().id, newest);
        QVERIFY(small.remove(newest));
        QVERIFY(small.entries().isEmpty());
        QVERIFY(!small.remove(newest));
    }

    void stallMonitorMeasuresABlockedLoop() {
        StallMonitor monitor;
        monitor.start();
        // Let it tick, block the event loop for 150 ms, and let it tick again.
        QTimer::singleShot(60, [] { QThread::msleep(150); });
        QTest::qWait(300);
        const StallStats stats = monitor.stop();
        QVERIFY2(stats.ticks > 5, qPrintable(QString::number(stats.ticks)));
        QVERIFY2(stats.max_gap_ms >= 140.0, qPrintable(QString::number(stats.max_gap_ms)));
        QVERIFY(stats.over_50ms >= 1);
        QVERIFY(stats.p99_gap_ms <= stats.max_gap_ms);
        QVERIFY(stats.seconds >= 0.25);
    }

private:
    NodePacks packs_;
};

QTEST_GUILESS_MAIN(TestRunHistory)
#include "test_run_history.moc"
