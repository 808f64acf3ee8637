// The Evaluate node chooses the features that fit the data and says which: samples of a 3x32x32
// colour model are scored by nothing at first (the notice says how to get a network), then by the
// network that train-features left next to the reference's folder (FOLDER.features), then by the
// one its Features parameter names; a network for pictures of another shape is refused in one
// sentence naming the file and both shapes.
#include "irl/engine/data/image_dataset.h"
#include "irl/engine/learning/feature_training.h"
#include "irl/nodes/executor.h"
#include "irl/nodes/plugin_loader.h"
#include "test_registry.h"

#include <opencv2/imgcodecs.hpp>

#include <QDir>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <torch/torch.h>

using namespace irl;
using namespace irl::nodes;

class TestEvaluateFeatures : public QObject {
    Q_OBJECT
    NodePacks packs_;

    // One run of the graph: its notices, and Evaluate's numbers.
    struct Run {
        RunOutcome outcome;
        QStringList notices;
    };
    Run run(const Graph& g) {
        QTemporaryDir out;
        Executor executor(packs_);
        RunContext context;
        context.output_dir = out.path();
        Run r;
        context.notice = [&r](const QString& node, const QString& text) { r.notices << node + ": " + text; };
        r.outcome = executor.run(g, context);
        return r;
    }

    // `count` pictures in each of two classes, 3x32x32 after conversion: warm and cool colours.
    static void write_folder(const std::string& folder, int count) {
        for (const char* group : {"warm", "cool"}) QVERIFY(QDir().mkpath(QString::fromStdString(folder + "/" + group)));
        for (int i = 0; i < count; ++i) {
            cv::imwrite(folder + "/warm/" + std::to_string(i) + ".png", cv::Mat(32, 32, CV_8UC3, cv::Scalar(20, 60 + 7 * i, 230)));
            cv::imwrite(folder + "/cool/" + std::to_string(i) + ".png", cv::Mat(32, 32, CV_8UC3, cv::Scalar(230, 60 + 7 * i, 20)));
        }
    }

private Q_SLOTS:
    void initTestCase() {
        packs_.load({IRL_PLUGIN_BUILD_DIR});
        QVERIFY(packs_.registry().find("irl.evaluate"));
    }

    void choosesTheFeaturesAndSaysWhich() {
        QTemporaryDir dir;
        const std::string folder = dir.filePath("pictures").toStdString();
        write_folder(folder, 20);
        Graph g(&packs_.registry());
        const QString d = g.add_node("irl.denoiser"), s = g.add_node("irl.schedule"), sampler = g.add_node("irl.sampler");
        const QString data = g.add_node("irl.dataset"), evaluate = g.add_node("irl.evaluate");
        QVERIFY(g.set_parameter(d, "source", "torchscript"));
        QVERIFY(g.set_parameter(d, "file", QString(IRL_FIXTURE_DIR) + "/conv-colour-raw.pt"));
        QVERIFY(g.set_parameter(s, "steps", 3));
        QVERIFY(g.set_parameter(sampler, "solver", "euler"));
        QVERIFY(g.set_parameter(sampler, "count", 16));
        QVERIFY(g.set_parameter(data, "source", "image-folder"));
        QVERIFY(g.set_parameter(data, "folder", QString::fromStdString(folder)));
        QString why;
        for (const Link& link : QVector<Link>{{{d, "denoiser"}, {sampler, "denoiser"}}, {{s, "schedule"}, {sampler, "schedule"}},
                                              {{d, "denoiser"}, {data, "denoiser"}}, {{sampler, "images"}, {evaluate, "images"}},
                                              {{data, "dataset"}, {evaluate, "reference"}}})
            QVERIFY2(g.connect(link, &why), qPrintable(why));

        // No network for these pictures yet: the NFE only, and how to get one.
        Run first = run(g);
        QVERIFY2(first.outcome.ok, qPrintable(first.outcome.error));
        QVERIFY2(first.notices.join("\n").contains("no feature network for 3x32x32 pictures") &&
                     first.notices.join("\n").contains("train-features --folder DIR --shape 3x32x32"),
                 qPrintable(first.notices.join("\n")));
        QVERIFY(!first.outcome.nodes.value(evaluate).numbers.contains("fd"));

        // train-features' network, where it writes it by default: next to the folder.
        FeatureTrainingOptions options;
        options.run.iterations = 20;
        options.batch = 8;
        options.width = 4;
        options.held_out = 0.2;
        options.out = features_file_for_folder(folder + "/");
        QCOMPARE(options.out, folder + ".features");
        FeatureTraining(load_image_folder(folder, ImageShape{3, 32, 32}, AspectFit::Crop), options).run({});
        Run second = run(g);
        QVERIFY2(second.outcome.ok, qPrintable(second.outcome.error));
        const QString said = second.notices.join("\n");
        QVERIFY2(said.contains(QString::fromStdString("scored with the features of " + options.out + " (next to the reference's folder; 2 classes")),
                 qPrintable(said));
        const QVariantMap numbers = second.outcome.nodes.value(evaluate).numbers;
        QVERIFY(numbers.contains("fd") && numbers.contains("precision") && numbers.contains("recall"));
        QVERIFY(numbers.value("fd").toDouble() >= 0.0);

        // The parameter wins; a network for grey pictures is refused, naming the file and both shapes.
        FeatureTrainingOptions grey = options;
        grey.out = dir.filePath("grey.features").toStdString();
        FeatureTraining(load_image_folder(folder, ImageShape{1, 32, 32}, AspectFit::Crop), grey).run({});
        QVERIFY(g.set_parameter(evaluate, "features", QString::fromStdString(grey.out)));
        Run third = run(g);
        QVERIFY(!third.outcome.ok);
        QVERIFY2(third.outcome.error.contains(QString::fromStdString("'" + grey.out + "' is a feature network for 1x32x32 pictures, and these are 3x32x32")),
                 qPrintable(third.outcome.error));
    }
};

IRL_TEST_CLASS("test_evaluate_features", TestEvaluateFeatures)
#include "test_evaluate_features.moc"
