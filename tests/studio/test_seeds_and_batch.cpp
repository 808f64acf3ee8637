// Seed rules and batch runs through the studio window's real widgets (offscreen): the Sampler's
// "After each run" rule and its batch count, chosen in the inspector, make one Run start that
// many runs, each with the seed the rule gives and each in the Queue and then in History; Undo
// brings back the seed the Run started from; both choices are saved with the graph; History's
// what-changed names the seed.
#include "graph_document.h"
#include "inspector.h"
#include "main_window.h"
#include "run_history.h"

#include "irl/nodes/plugin_loader.h"

#include <QAction>
#include <QComboBox>
#include <QListWidget>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest/QtTest>

using namespace irl::studio;

class TestSeedsAndBatch : public QObject {
    Q_OBJECT

    irl::nodes::NodePacks packs_;
    QTemporaryDir home_;

    MainWindowOptions options(const QString& name) const {
        MainWindowOptions o;
        o.autosave_dir = home_.filePath(name + "/autosave");
        o.history_dir = home_.filePath(name + "/history");
        o.ask_before_discarding = false;
        o.autosave_interval_ms = 3600 * 1000;
        return o;
    }

    static qlonglong seed_of(MainWindow& window) {
        return window.document()->graph().node("sampler-1")->parameters.value("seed").toLongLong();
    }

    // The quick toy graph, with its Sampler's rule and batch count chosen in the inspector.
    static void prepare(MainWindow& window, const QString& rule, int batch) {
        QVERIFY(window.open_file(IRL_GRAPHS_DIR "/toy-2d.json"));
        QVERIFY(window.document()->set_parameter("schedule-1", "steps", 4));
        QVERIFY(window.document()->set_parameter("sampler-1", "count", 200));
        QVERIFY(window.document()->set_parameter("sampler-1", "seed", 7));
        window.inspector()->show_node("sampler-1");
        auto* rule_box = qobject_cast<QComboBox*>(window.inspector()->editor_for("seed_rule"));
        auto* batch_box = qobject_cast<QSpinBox*>(window.inspector()->editor_for("batch"));
        QVERIFY(rule_box && batch_box);
        QCOMPARE(rule_box->currentText(), QString("fixed"));  // the default: nothing changes unasked
        QCOMPARE(batch_box->value(), 1);
        rule_box->setCurrentIndex(rule_box->findText(rule));
        batch_box->setValue(batch);
        const QVariantMap p = window.document()->graph().node("sampler-1")->parameters;
        QCOMPARE(p.value("seed_rule").toString(), rule);
        QCOMPARE(p.value("batch").toInt(), batch);
    }

    static QVector<qlonglong> seeds_in_history(MainWindow& window, int runs) {
        QVector<qlonglong> seeds;  // oldest first
        for (int i = runs - 1; i >= 0; --i) seeds << window.history()->entries()[i].seeds.value("sampler-1.seed").toLongLong();
        return seeds;
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        packs_.load({IRL_PLUGIN_BUILD_DIR});
        QVERIFY(packs_.registry().find("irl.sampler"));
    }

    void increment_over_a_batch_of_three() {
        MainWindow window(packs_, options("increment"));
        prepare(window, "increment", 3);
        QUndoStack* undo = window.document()->undo_stack();
        const int steps = undo->count();
        QSignalSpy finished(&window, &MainWindow::run_finished);
        window.action("run")->trigger();
        // One started, two waiting, each labelled with its place and its seed.
        QVERIFY(window.running());
        QCOMPARE(window.queue_list()->count(), 2);
        QVERIFY2(window.queue_list()->item(0)->text().contains("run 2 of 3"), qPrintable(window.queue_list()->item(0)->text()));
        QVERIFY2(window.queue_list()->item(1)->text().contains("sampler-1 seed 9"), qPrintable(window.queue_list()->item(1)->text()));
        // The document holds the next Run's seed, as one undo step.
        QCOMPARE(seed_of(window), 10);
        QCOMPARE(undo->count(), steps + 1);
        auto* seed_box = qobject_cast<QSpinBox*>(window.inspector()->editor_for("seed"));
        QVERIFY(seed_box);
        QCOMPARE(seed_box->value(), 10);
        QVERIFY(QTest::qWaitFor([&] { return finished.count() == 3 && !window.running(); }, 120000));
        QCOMPARE(window.queue_list()->count(), 0);
        QCOMPARE(window.history()->entries().size(), 3);
        QCOMPARE(seeds_in_history(window, 3), (QVector<qlonglong>{7, 8, 9}));
        for (int i = 0; i < 3; ++i) QCOMPARE(window.history()->entries()[i].status, QString("done"));
        QVERIFY(RunHistory::differences(window.history()->entries()[2], window.history()->entries()[1]).contains("sampler-1.seed: 7 → 8"));
        // Undo brings back the seed this Run started from, in the inspector too.
        undo->undo();
        QCOMPARE(seed_of(window), 7);
        QCOMPARE(seed_box->value(), 7);
        // The rule and the batch count are saved with the graph and read back.
        const QString file = home_.filePath("batch.irlgraph");
        QVERIFY(window.save_to(file));
        MainWindow reopened(packs_, options("reopened"));
        QVERIFY(reopened.open_file(file));
        const QVariantMap p = reopened.document()->graph().node("sampler-1")->parameters;
        QCOMPARE(p.value("seed_rule").toString(), QString("increment"));
        QCOMPARE(p.value("batch").toInt(), 3);
        // And the choices themselves are undoable edits.
        undo->undo();
        QCOMPARE(window.document()->graph().node("sampler-1")->parameters.value("batch").toInt(), 1);
        undo->undo();
        QCOMPARE(window.document()->graph().node("sampler-1")->parameters.value("seed_rule").toString(), QString("fixed"));
    }

    void fixed_and_random() {
        MainWindow window(packs_, options("fixed"));
        prepare(window, "fixed", 2);
        const int steps = window.document()->undo_stack()->count();
        QSignalSpy finished(&window, &MainWindow::run_finished);
        window.action("run")->trigger();
        QVERIFY(QTest::qWaitFor([&] { return finished.count() == 2 && !window.running(); }, 120000));
        QCOMPARE(seeds_in_history(window, 2), (QVector<qlonglong>{7, 7}));
        QCOMPARE(seed_of(window), 7);
        QCOMPARE(window.document()->undo_stack()->count(), steps);  // nothing changed, nothing to undo

        MainWindow other(packs_, options("random"));
        prepare(other, "random", 2);
        QSignalSpy other_finished(&other, &MainWindow::run_finished);
        other.action("run")->trigger();
        QVERIFY(QTest::qWaitFor([&] { return other_finished.count() == 2 && !other.running(); }, 120000));
        const QVector<qlonglong> seeds = seeds_in_history(other, 2);
        QCOMPARE(seeds[0], 7);
        // A fresh draw in the seed's range each time (two equal draws of 2^31 would fail this: about 1 in 2 billion).
        QVERIFY(seeds[1] != seeds[0] && seed_of(other) != seeds[1]);
        QVERIFY(seeds[1] >= 0 && seeds[1] <= 2147483647 && seed_of(other) >= 0 && seed_of(other) <= 2147483647);
    }
};

QTEST_MAIN(TestSeedsAndBatch)
#include "test_seeds_and_batch.moc"
