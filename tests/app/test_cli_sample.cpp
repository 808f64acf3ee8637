// irlstudio-cli sample (and train-policy's action syntax) as a user runs it: JSON output, a real
// PNG, clear errors and exit codes.
#include "test_registry.h"

#include <QtTest/QtTest>
#include <opencv2/imgcodecs.hpp>

#include <fstream>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QFile>

#include <csignal>

class TestCliSample : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void jsonAndPng();
    void badArguments_data();
    void badArguments();
    void trainPolicyTakesANoiseRange();
    void trainPolicyFromAColourFolder();
    void oldOptionNamesStillWork();
    void learnScheduleOnAToy();
    void exportedListSamplesLikeTheFile();
    void claimReferenceRowsOnTheEvaluationSeeds();
    void claimRunsOnFashionAtAShortCount();
    void interruptedTrainingKeepsWhatItLearned_data();
    void interruptedTrainingKeepsWhatItLearned();

private:
    static int run(const QStringList& args, QByteArray* out, QByteArray* err) {
        QProcess process;
        process.start(IRLSTUDIO_CLI, args);
        if (!process.waitForFinished(120000)) return -1;
        if (out) *out = process.readAllStandardOutput();
        if (err) *err = process.readAllStandardError();
        return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    }
};

void TestCliSample::jsonAndPng() {
    QTemporaryDir dir;
    const QString png = dir.filePath("ring.png");
    QByteArray out, err;
    QCOMPARE(run({"sample", "--toy", "ring8", "--solver", "heun", "--steps", "18", "--count", "500", "--seed", "3",
                  "--out", png, "--json"}, &out, &err), 0);
    const QJsonObject report = QJsonDocument::fromJson(out).object();
    QCOMPARE(report.value("nfe").toDouble(), 35.0);
    QCOMPARE(report.value("samples").toInt(), 500);
    QVERIFY(report.value("seconds").toDouble() > 0.0);
    // Heun at 35 evaluations lands on the ring: the log density of the clean data is high.
    QVERIFY2(report.value("mean_log_density").toDouble() > -2.0, out.constData());
    QFile file(png);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray head = file.read(24);
    QVERIFY(head.startsWith("\x89PNG\r\n\x1a\n"));
    // IHDR: width and height, big-endian, at bytes 16..23.
    auto be32 = [&](int at) { return (uchar(head[at]) << 24) | (uchar(head[at + 1]) << 16) | (uchar(head[at + 2]) << 8) | uchar(head[at + 3]); };
    QCOMPARE(be32(16), 640);
    QCOMPARE(be32(20), 640);

    QByteArray again;
    run({"sample", "--toy", "ring8", "--count", "500", "--seed", "3", "--json"}, &again, nullptr);
    QCOMPARE(QJsonDocument::fromJson(again).object().value("mean_log_density").toDouble(),
             report.value("mean_log_density").toDouble());
}

void TestCliSample::badArguments_data() {
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("unknown toy") << QStringList{"sample", "--toy", "ring9"} << "ring8";
    QTest::newRow("unknown solver") << QStringList{"sample", "--solver", "rk4"} << "heun";
    QTest::newRow("steps not a number") << QStringList{"sample", "--steps", "ten"} << "--steps";
    QTest::newRow("unknown option") << QStringList{"sample", "--stpes", "10"} << "--stpes";
    QTest::newRow("missing value") << QStringList{"sample", "--seed"} << "--seed";
    QTest::newRow("bad schedule") << QStringList{"sample", "--sigma-min", "-1"} << "sigma_min";
    QTest::newRow("unknown command") << QStringList{"smaple"} << "smaple";
    QTest::newRow("empty noise range") << QStringList{"train-policy", "--toy", "ring8", "--actions", "churn=0,1@3:1", "--out", "never.pt"}
                                       << "sigma_min > sigma_max";
    QTest::newRow("expert class out of range") << QStringList{"train-policy", "--toy", "ring8", "--expert-classes", "99", "--out", "never.pt"}
                                               << "--expert-classes: the toy ring8 has classes 0..7, not 99";
    QTest::newRow("network too deep for the image") << QStringList{"train-denoiser", "--channels", "8,8,8,8", "--out", "never.pt"}
                                                    << "multiple of 8";
    QTest::newRow("EMA decay out of range") << QStringList{"train-denoiser", "--ema", "5", "--out", "never.pt"} << "--ema";
    QTest::newRow("learn-schedule: Heun at an even NFE") << QStringList{"learn-schedule", "--toy", "ring8", "--solver", "heun", "--nfe", "4", "--out", "never.irls"}
                                                         << "odd number";
    QTest::newRow("learn-schedule: a stochastic solver") << QStringList{"learn-schedule", "--toy", "ring8", "--solver", "euler-ancestral", "--out", "never.irls"}
                                                         << "deterministic solver";
    QTest::newRow("learn-schedule: warm start of another length") << QStringList{"learn-schedule", "--toy", "ring8", "--warm-start", "10,1", "--out", "never.irls"}
                                                                  << "warm start has 2 levels";
    QTest::newRow("learn-schedule: a feature distance on a toy") << QStringList{"learn-schedule", "--toy", "ring8", "--feature-distance", "f.pt", "--out", "never.irls"}
                                                                << "--feature-distance: 'f.pt' is a feature network for images";
    QTest::newRow("learn-schedule: two distances") << QStringList{"learn-schedule", "--pixel-distance", "--feature-distance", "f.pt", "--out", "never.irls"}
                                                   << "--pixel-distance and --feature-distance: choose one";
    QTest::newRow("bench claim: a reference without its NFE") << QStringList{"bench", "claim", "--method", "reference", "--toy", "ring8", "--reference", "heun35"}
                                                              << "--reference: SOLVER:NFE, for example heun:35, not 'heun35'";
    QTest::newRow("bench claim: two testbeds") << QStringList{"bench", "claim", "--method", "irl", "--testbed", "ring8", "--toy", "grid25"}
                                               << "--testbed and --toy name different testbeds ('ring8', 'grid25')";
    QTest::newRow("a pasted list with a typo") << QStringList{"sample", "--toy", "ring8", "--sigmas", "80, 1O, 1"} << "--sigmas: schedule: '1O'";
    QTest::newRow("learn-schedule without --out") << QStringList{"learn-schedule", "--toy", "ring8"} << "--out";
    QTest::newRow("noise range without colon") << QStringList{"train-policy", "--toy", "ring8", "--actions", "churn=0,1@3", "--out", "never.pt"}
                                               << "@SIGMA_MIN:SIGMA_MAX";
}

void TestCliSample::badArguments() {
    QFETCH(QStringList, args);
    QFETCH(QString, mentions);
    QByteArray err;
    QCOMPARE(run(args, nullptr, &err), 2);
    QVERIFY2(QString(err).contains(mentions), err.constData());
    QVERIFY2(!QString(err).contains("frame #") && err.count('\n') <= 2, err.constData());
}

// "KIND=choices@LO:HI" limits where the policy chooses; the range travels into the policy.
void TestCliSample::trainPolicyTakesANoiseRange() {
    QTemporaryDir dir;
    QByteArray out, err;
    QCOMPARE(run({"train-policy", "--toy", "ring8", "--solver", "euler", "--steps", "4", "--actions", "churn=0,0.3@0.5:5;guidance=1,2@:",
                  "--iterations", "1", "--batch", "8", "--out", dir.filePath("p.pt"), "--json"}, &out, &err), 0);
    const QJsonArray actions = QJsonDocument::fromJson(out).object().value("actions").toArray();
    QCOMPARE(actions.size(), 2);
    QCOMPARE(actions[0].toObject().value("sigma_min").toDouble(), 0.5);
    QCOMPARE(actions[0].toObject().value("sigma_max").toDouble(), 5.0);
    QCOMPARE(actions[1].toObject().value("sigma_min").toDouble(), 0.0);
    QVERIFY(actions[1].toObject().value("sigma_max").isNull());  // no upper end
    QVERIFY(QFile::exists(dir.filePath("p.pt")));
}

// train-policy --folder on a colour model of another size (a 3x32x32 TorchScript fixture): colour
// pictures of mixed sizes train; a broken file, a 1x1 picture and a huge one are each skipped with
// a sentence; a folder of nothing usable is refused in one.
void TestCliSample::trainPolicyFromAColourFolder() {
    QTemporaryDir dir;
    const std::string folder = dir.filePath("pictures").toStdString();
    QVERIFY(QDir().mkpath(QString::fromStdString(folder + "/red")) && QDir().mkpath(QString::fromStdString(folder + "/blue")));
    cv::imwrite(folder + "/red/a.png", cv::Mat(40, 60, CV_8UC3, cv::Scalar(30, 30, 220)));
    cv::imwrite(folder + "/red/b.jpg", cv::Mat(90, 50, CV_8UC3, cv::Scalar(10, 60, 200)));
    cv::imwrite(folder + "/blue/c.png", cv::Mat(16, 16, CV_8UC3, cv::Scalar(220, 40, 40)));
    cv::imwrite(folder + "/blue/dot.png", cv::Mat(1, 1, CV_8UC3, cv::Scalar(220, 40, 40)));
    cv::imwrite(folder + "/blue/huge.png", cv::Mat(6000, 8000, CV_8UC1, cv::Scalar(0)));
    std::ofstream(folder + "/blue/notes.png") << "not a picture";
    const QString model = QString(IRL_FIXTURE_DIR) + "/conv-colour-raw.pt";
    QByteArray out, err;
    QCOMPARE(run({"train-policy", "--model", model, "--folder", QString::fromStdString(folder), "--fit", "pad", "--solver", "euler",
                  "--steps", "3", "--actions", "churn=0,0.3", "--iterations", "1", "--batch", "4", "--out", dir.filePath("p.pt"), "--json"},
                 &out, &err),
             0);
    QVERIFY2(QFile::exists(dir.filePath("p.pt")), err.constData());
    QVERIFY2(err.contains("skipped 3 files of the folder"), err.constData());
    QVERIFY2(err.contains("dot.png: 1x1 pixels") && err.contains("huge.png: 8000x6000 pixels, larger than 40 megapixels") &&
                 err.contains("notes.png: not an image"),
             err.constData());
    QVERIFY2(err.contains("fitted 3 images of another size to 32x32 by pad (the images are 3x32x32 now)"), err.constData());
    // Nothing usable: one sentence, naming the folder and why.
    const std::string junk = dir.filePath("junk").toStdString();
    QVERIFY(QDir().mkpath(QString::fromStdString(junk)));
    std::ofstream(junk + "/readme.txt") << "hello";
    QCOMPARE(run({"train-policy", "--model", model, "--folder", QString::fromStdString(junk), "--out", dir.filePath("q.pt")}, &out, &err), 3);
    QVERIFY2(err.contains("holds no readable image") && err.contains("readme.txt") && err.count('\n') == 1, err.constData());
    QVERIFY(!QFile::exists(dir.filePath("q.pt")));
}

// --churn was EDM's S_churn and --lambda gDDIM's stochasticity: renamed, they still work and say
// the new names.
void TestCliSample::oldOptionNamesStillWork() {
    QByteArray renamed, old, err;
    QCOMPARE(run({"sample", "--toy", "ring8", "--solver", "heun", "--steps", "6", "--s-churn", "2", "--count", "200", "--json"}, &renamed, nullptr), 0);
    QCOMPARE(run({"sample", "--toy", "ring8", "--solver", "heun", "--steps", "6", "--churn", "2", "--count", "200", "--json"}, &old, &err), 0);
    QCOMPARE(QJsonDocument::fromJson(old).object().value("mean_log_density").toDouble(),
             QJsonDocument::fromJson(renamed).object().value("mean_log_density").toDouble());
    QVERIFY2(err.contains("--churn is now called --s-churn"), err.constData());
    QCOMPARE(run({"sample", "--toy", "ring8", "--solver", "gddim", "--steps", "6", "--stochasticity", "0.5", "--count", "200", "--json"}, &renamed, nullptr), 0);
    QCOMPARE(run({"sample", "--toy", "ring8", "--solver", "gddim", "--steps", "6", "--lambda", "0.5", "--count", "200", "--json"}, &old, &err), 0);
    QCOMPARE(QJsonDocument::fromJson(old).object().value("mean_log_density").toDouble(),
             QJsonDocument::fromJson(renamed).object().value("mean_log_density").toDouble());
    QVERIFY2(err.contains("--lambda is now called --stochasticity"), err.constData());
}

// A short fit on ring8 through the command: its JSON has the learned list (4 levels and 0), at
// least as good on the validation pairs as the warm start, and the teacher's cost.
void TestCliSample::learnScheduleOnAToy() {
    QTemporaryDir dir;
    QByteArray out, err;
    QCOMPARE(run({"learn-schedule", "--toy", "ring8", "--nfe", "4", "--iterations", "20", "--pairs", "64", "--validation-pairs", "32",
                  "--checkpoint", dir.filePath("fit.ckpt"), "--out", dir.filePath("fit.irls"), "--json"}, &out, &err), 0);
    const QJsonObject report = QJsonDocument::fromJson(out).object();
    QCOMPARE(report.value("sigmas").toArray().size(), 5);
    QCOMPARE(report.value("query_sigmas").toArray().size(), 4);
    QCOMPARE(report.value("solver").toString(), QString("dpmpp-2m"));
    QCOMPARE(report.value("distance").toString(), QString("pixels"));  // no feature network for points
    QVERIFY2(report.value("best_validation").toDouble() < report.value("warm_start_validation").toDouble(), out.constData());
    QCOMPARE(report.value("teacher_evaluations").toInt(), 96 * 35);
    QVERIFY(QFile::exists(dir.filePath("fit.ckpt")));
    QVERIFY(QFile::exists(dir.filePath("fit.irls")));
}

// A schedule fitted without shifts, exported for ComfyUI and pasted back with --sigmas, samples
// exactly as the file does; one fitted with shifts exports its levels with a note that the shifts
// do not travel.
void TestCliSample::exportedListSamplesLikeTheFile() {
    QTemporaryDir dir;
    const QString plain = dir.filePath("plain.irls"), shifted = dir.filePath("shifted.irls");
    const QStringList fit{"learn-schedule", "--toy", "ring8", "--nfe", "4", "--iterations", "10", "--pairs", "32", "--validation-pairs", "16"};
    QCOMPARE(run(fit + QStringList{"--no-shift", "--out", plain}, nullptr, nullptr), 0);
    QCOMPARE(run(fit + QStringList{"--out", shifted}, nullptr, nullptr), 0);
    QByteArray list, err;
    QCOMPARE(run({"export-schedule", plain}, &list, &err), 0);
    QVERIFY2(!err.contains("note:"), err.constData());
    list = list.trimmed();
    QCOMPARE(list.count(','), 4);
    QByteArray from_file, from_list;
    const QStringList sample{"sample", "--toy", "ring8", "--solver", "dpmpp-2m", "--count", "300", "--seed", "5", "--json"};
    QCOMPARE(run(sample + QStringList{"--schedule-file", plain}, &from_file, nullptr), 0);
    QCOMPARE(run(sample + QStringList{"--sigmas", "[" + QString(list) + "]"}, &from_list, nullptr), 0);
    const QJsonObject a = QJsonDocument::fromJson(from_file).object(), b = QJsonDocument::fromJson(from_list).object();
    QVERIFY2(a.contains("mean_log_density"), from_file.constData());
    QCOMPARE(a.value("mean_log_density").toDouble(), b.value("mean_log_density").toDouble());
    QCOMPARE(a.value("nfe").toDouble(), 4.0);

    QCOMPARE(run({"export-schedule", shifted}, &list, &err), 0);
    QVERIFY2(err.contains("note:") && err.contains("--no-shift"), err.constData());
    QByteArray json;
    QCOMPARE(run({"export-schedule", shifted, "--format", "json"}, &json, nullptr), 0);
    QCOMPARE(QJsonDocument::fromJson(json).object().value("query_sigmas").toArray().size(), 4);
    QCOMPARE(run({"export-schedule", dir.filePath("missing.irls")}, nullptr, &err), 3);
    QVERIFY2(err.contains("missing.irls") && err.count('\n') == 1, err.constData());
}

// `bench claim --reference heun:35` scores Heun at 35 NFE on EDM's default schedule on the claim's
// evaluation seeds; --method reference scores only that.
void TestCliSample::claimReferenceRowsOnTheEvaluationSeeds() {
    QByteArray out, err;
    QCOMPARE(run({"bench", "claim", "--method", "reference", "--testbed", "ring8", "--reference", "heun:35", "--count", "200",
                  "--eval-seeds", "11,12"}, &out, &err), 0);
    const QJsonObject report = QJsonDocument::fromJson(out).object();
    QCOMPARE(report.value("evaluation_seeds").toArray().size(), 2);
    const QJsonObject row = report.value("reference").toArray().at(0).toObject();
    QCOMPARE(row.value("solver").toString(), QString("heun"));
    QCOMPARE(row.value("steps").toInt(), 18);
    QCOMPARE(row.value("nfe").toDouble(), 35.0);
    QCOMPARE(row.value("evaluations").toDouble(), 2 * 200 * 35.0);
    QVERIFY2(row.contains("mmd2") && row.value("seeds").toInt() == 2, out.constData());
}

// The claim's protocol on the bundled Fashion model, at a smoke-test count: the IRL policy starts
// at the schedule and constant chosen on training images, is scored on the evaluation seed only, and
// the report gives its start, its learned row and the margin over the start.
void TestCliSample::claimRunsOnFashionAtAShortCount() {
    QByteArray out, err;
    QCOMPARE(run({"bench", "claim", "--method", "irl", "--testbed", "fashion", "--count", "100", "--tuning-count", "100",
                  "--screen-count", "100", "--iterations", "2", "--no-baselines", "--solver", "dpmpp-2m", "--actions",
                  "next=0.8,1,1.25", "--batch", "16", "--eval-seeds", "5", "--threads", "2"},
                 &out, &err),
             0);
    const QJsonObject report = QJsonDocument::fromJson(out).object();
    QCOMPARE(report.value("testbed").toString(), QString("fashion-mnist"));
    QCOMPARE(report.value("samples").toInt(), 100);
    QCOMPARE(report.value("evaluation_seeds").toArray(), QJsonArray{5});
    const QJsonObject start = report.value("start").toObject(), learned = report.value("learned").toArray().at(0).toObject();
    QCOMPARE(start.value("solver").toString(), QString("dpmpp-2m"));
    QVERIFY2(start.value("fd").toDouble() > 0.0 && learned.value("fd").toDouble() > 0.0, out.left(400).constData());
    QCOMPARE(learned.value("nfe").toDouble(), 5.0);
    QVERIFY(report.contains("margin_over_start"));
}

void TestCliSample::interruptedTrainingKeepsWhatItLearned_data() {
    QTest::addColumn<int>("signal");
    QTest::addColumn<int>("code");
    QTest::newRow("Ctrl+C") << int(SIGINT) << 130;
    QTest::newRow("SIGTERM") << int(SIGTERM) << 143;
}

// Ctrl+C or SIGTERM in the middle of training: the exit code says which, and both a checkpoint to
// resume from and the policy so far are on disk (nothing learned since the last checkpoint is lost).
void TestCliSample::interruptedTrainingKeepsWhatItLearned() {
    QFETCH(int, signal);
    QFETCH(int, code);
    QTemporaryDir dir;
    QProcess process;
    process.start(IRLSTUDIO_CLI, {"train-policy", "--toy", "ring8", "--solver", "euler", "--steps", "6", "--actions", "churn=0,0.3",
                                  "--iterations", "1000000", "--batch", "32", "--out", dir.filePath("p.pt")});
    QVERIFY(process.waitForStarted());
    QTest::qWait(2500);
    QVERIFY(process.state() == QProcess::Running);
    ::kill(static_cast<pid_t>(process.processId()), signal);
    QVERIFY(process.waitForFinished(60000));
    QCOMPARE(process.exitCode(), code);
    const QString err = process.readAllStandardError();
    QVERIFY2(err.contains("interrupted after"), qPrintable(err));
    QVERIFY(QFile::exists(dir.filePath("p.pt")));
    QVERIFY(QFile::exists(dir.filePath("p.pt.ckpt")));
    // The checkpoint resumes: a short continuation starts from where the interrupted run stopped.
    QByteArray out;
    QCOMPARE(run({"train-policy", "--toy", "ring8", "--solver", "euler", "--steps", "6", "--actions", "churn=0,0.3", "--iterations", "1",
                  "--batch", "32", "--out", dir.filePath("q.pt"), "--checkpoint", dir.filePath("p.pt.ckpt"), "--json"}, &out, nullptr), 0);
    QVERIFY2(QJsonDocument::fromJson(out).object().value("iterations").toInt() > 1, out.constData());
}

IRL_TEST_CLASS("test_cli_sample", TestCliSample)
#include "test_cli_sample.moc"
