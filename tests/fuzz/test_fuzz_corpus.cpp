// Replays tests/fuzz-corpus/: the seeds of each fuzz target and every input that ever made one
// crash, hang or fail a check (libFuzzer's crash-*, timeout-*, leak-* files). Each must now be
// read or refused without an escaping error, in the normal build.
#include "fuzz_targets.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QtTest/QtTest>

class TestFuzzCorpus : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyTargetHasSeeds();
    void everyInputIsHandled_data();
    void everyInputIsHandled();
};

void TestFuzzCorpus::everyTargetHasSeeds() {
    for (const irl::fuzz::NamedTarget& t : irl::fuzz::targets()) {
        const QDir dir(QString(IRL_FUZZ_CORPUS) + "/" + t.name);
        QVERIFY2(dir.exists() && !dir.entryList(QDir::Files).isEmpty(), t.name);
    }
    // No folder without a target (a renamed target would silently stop being replayed).
    for (const QString& folder : QDir(IRL_FUZZ_CORPUS).entryList(QDir::Dirs | QDir::NoDotAndDotDot))
        QVERIFY2(irl::fuzz::find_target(folder.toStdString()), qPrintable(folder));
}

void TestFuzzCorpus::everyInputIsHandled_data() {
    QTest::addColumn<QString>("target");
    QTest::addColumn<QString>("file");
    for (const irl::fuzz::NamedTarget& t : irl::fuzz::targets()) {
        const QDir dir(QString(IRL_FUZZ_CORPUS) + "/" + t.name);
        for (const QString& f : dir.entryList(QDir::Files, QDir::Name))
            QTest::newRow(qPrintable(QString(t.name) + "/" + f)) << QString(t.name) << dir.filePath(f);
    }
}

void TestFuzzCorpus::everyInputIsHandled() {
    QFETCH(QString, target);
    QFETCH(QString, file);
    QFile in(file);
    QVERIFY(in.open(QIODevice::ReadOnly));
    const QByteArray bytes = in.readAll();
    QElapsedTimer timer;
    timer.start();
    try {
        irl::fuzz::find_target(target.toStdString())->run(reinterpret_cast<const uint8_t*>(bytes.constData()), static_cast<size_t>(bytes.size()));
    } catch (const std::exception& e) {
        QFAIL(qPrintable(file + ": " + e.what()));
    }
    // libFuzzer's -timeout is 10 s; an input that once hung must now take well under that.
    QVERIFY2(timer.elapsed() < 5000, qPrintable(file + " took " + QString::number(timer.elapsed()) + " ms"));
}

QTEST_GUILESS_MAIN(TestFuzzCorpus)
#include "test_fuzz_corpus.moc"
