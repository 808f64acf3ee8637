// irlstudio-cli run as a user runs it: example graphs, --set, the graph embedded in the PNG it
// saves, and the exit codes 0 / 2 / 3 / 130 (Ctrl+C stops at the next denoiser call).
#include <QtTest/QtTest>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <csignal>

class TestCliRun : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void toyGraphAndEmbeddedGraph();
    void exitCodes();
    void interruptCancels();
    void outputsStayInTheOutputFolder_data();
    void outputsStayInTheOutputFolder();
    void theGraphBeingRunIsNeverOverwritten();

private:
    static int run(const QStringList& args, QByteArray* out = nullptr, QByteArray* err = nullptr) {
        QProcess process;
        process.start(IRLSTUDIO_CLI, args);
        if (!process.waitForFinished(300000)) return -1;
        if (out) *out = process.readAllStandardOutput();
        if (err) *err = process.readAllStandardError();
        return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    }
    const QString graphs_ = IRL_GRAPHS_DIR;
};

void TestCliRun::toyGraphAndEmbeddedGraph() {
    QTemporaryDir dir;
    QByteArray out, err;
    QCOMPARE(run({"run", graphs_ + "/toy-2d.json", "--out", dir.path(), "--json", "--quiet"}, &out, &err), 0);
    const QJsonObject report = QJsonDocument::fromJson(out).object();
    QVERIFY2(report.value("ok").toBool(), out.constData());
    QCOMPARE(report.value("nfe").toDouble(), 35.0);
    QCOMPARE(report.value("nodes").toObject().value("sampler-1").toObject().value("status").toString(), QString("done"));
    const QString png = dir.filePath("toy-ring8.png");
    QVERIFY(QFile::exists(png));
    // The PNG carries its graph: running it again with an override works from the image alone.
    QTemporaryDir again;
    QCOMPARE(run({"run", png, "--out", again.path(), "--set", "schedule-1.steps=5", "--set", "sampler-1.solver=\"euler\"",
                  "--json", "--quiet"}, &out, &err), 0);
    QCOMPARE(QJsonDocument::fromJson(out).object().value("nfe").toDouble(), 5.0);
}

void TestCliRun::exitCodes() {
    QTemporaryDir dir;
    QByteArray err;
    QCOMPARE(run({"run", graphs_ + "/toy-2d.json", "--set", "schedule-1.steps=ten", "--out", dir.path()}, nullptr, &err), 2);
    QVERIFY2(err.contains("expected an integer in 1..1000, got \"ten\""), err.constData());
    QFile broken(dir.filePath("broken.json"));
    QVERIFY(broken.open(QIODevice::WriteOnly));
    broken.write(R"({"format": "irlstudio-graph", "version": 2, "nodes": [{"id": "a", "type": "irl.schedule", "params": {"steps": 0}}]})");
    broken.close();
    QCOMPARE(run({"run", dir.filePath("broken.json")}, nullptr, &err), 2);
    QVERIFY2(err.contains("nodes[0].params.steps"), err.constData());
    // A failure while running: the toy has no class 12.
    QCOMPARE(run({"run", graphs_ + "/toy-2d.json", "--set", "sampler-1.class=12", "--out", dir.path(), "--quiet"}, nullptr, &err), 3);
    QVERIFY2(err.contains("sampler-1") && err.contains("class 12"), err.constData());
    QVERIFY2(err.count("class 12") == 1, err.constData());  // said once
    QCOMPARE(run({"run", dir.filePath("nothing.json")}, nullptr, &err), 2);
}

void TestCliRun::interruptCancels() {
    QTemporaryDir dir;
    QProcess process;
    process.start(IRLSTUDIO_CLI, {"run", graphs_ + "/toy-2d.json", "--set", "schedule-1.steps=1000", "--set",
                                  "sampler-1.count=100000", "--out", dir.path(), "--quiet"});
    QVERIFY(process.waitForStarted());
    QTest::qWait(1500);
    QCOMPARE(process.state(), QProcess::Running);
    ::kill(static_cast<pid_t>(process.processId()), SIGINT);
    QVERIFY(process.waitForFinished(20000));
    QCOMPARE(process.exitCode(), 130);
    QVERIFY(!QFile::exists(dir.filePath("toy-ring8.png")));
}

// A graph travels (a PNG embeds the one that made it): the file names it gives for what it writes
// stay inside the run's output folder, whatever they say.
void TestCliRun::outputsStayInTheOutputFolder_data() {
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("parent folder") << "../escaped.png" << "goes up out of the run's output folder";
    QTest::newRow("absolute") << "/tmp/irlstudio-escaped.png" << "is an absolute path";
    QTest::newRow("through a link") << "link/escaped.png" << "leads out of the run's output folder";
}

void TestCliRun::outputsStayInTheOutputFolder() {
    QFETCH(QString, path);
    QFETCH(QString, mentions);
    QTemporaryDir root;
    const QString out = root.filePath("out"), outside = root.filePath("outside");
    QVERIFY(QDir().mkpath(out) && QDir().mkpath(outside));
    QVERIFY(QFile::link(outside, out + "/link"));
    QFile::remove("/tmp/irlstudio-escaped.png");
    QByteArray err;
    QCOMPARE(run({"run", graphs_ + "/toy-2d.json", "--set", "save_image-1.path=\"" + path + "\"", "--out", out, "--quiet"}, nullptr, &err), 3);
    QVERIFY2(err.contains(mentions.toUtf8()) && err.contains("Save Image's file name"), err.constData());
    QVERIFY(!QFile::exists(root.filePath("escaped.png")));
    QVERIFY(!QFile::exists(outside + "/escaped.png"));
    QVERIFY(!QFile::exists("/tmp/irlstudio-escaped.png"));
}

// Running a PNG from its own folder into that folder would write the image over itself.
void TestCliRun::theGraphBeingRunIsNeverOverwritten() {
    QTemporaryDir dir;
    QVERIFY(run({"run", graphs_ + "/toy-2d.json", "--out", dir.path(), "--quiet"}) == 0);
    const QString png = dir.filePath("toy-ring8.png");
    QFile file(png);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray before = file.readAll();
    file.close();
    QByteArray err;
    QCOMPARE(run({"run", png, "--set", "schedule-1.steps=5", "--out", dir.path(), "--quiet"}, nullptr, &err), 3);
    QVERIFY2(err.contains("is the file this graph was read from"), err.constData());
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), before);
}

QTEST_GUILESS_MAIN(TestCliRun)
#include "test_cli_run.moc"
