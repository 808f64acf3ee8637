// The feature network of train-features, on a synthetic data set whose classes are plain to see
// (horizontal stripes, vertical stripes, a bright disc; colour, 16x16): trained as a classifier
// on the training driver it classifies the held-out pictures; every tenth picture of a class is
// held out and never trained on; a stopped run resumes from its checkpoint to the weights of a run
// without a stop; the file keeps its card and is refused, in one sentence, for pictures of another
// shape; pictures of one class train an autoencoder instead, which rebuilds held-out pictures better
// than their mean does; FD on its features is 0 for a set against itself, and smaller between two halves of one
// set than between the set and a copy shifted in brightness. The bundled second Fashion judge
// classifies the test images.
#include "irl/engine/core/resources.h"
#include "irl/engine/learning/feature_training.h"
#include "irl/engine/metrics/sample_metrics.h"
#include "test_registry.h"

#include <QtTest/QtTest>
#include <torch/torch.h>

#include <filesystem>

using namespace irl;
namespace fs = std::filesystem;

namespace {

// `per_class` pictures of each of three classes, 3x16x16 in [-1, 1], with random phase, colour and noise.
ImageDataset stripes_and_discs(int64_t per_class, uint64_t seed) {
    torch::manual_seed(static_cast<int64_t>(seed));
    const torch::Tensor coords = torch::arange(16, torch::kFloat32);
    const torch::Tensor rows = coords.reshape({16, 1}).expand({16, 16}), cols = coords.reshape({1, 16}).expand({16, 16});
    std::vector<torch::Tensor> images;
    std::vector<int64_t> labels;
    for (int64_t c = 0; c < 3; ++c) {
        for (int64_t i = 0; i < per_class; ++i) {
            const double phase = torch::rand({1}).item<double>() * 6.28;
            torch::Tensor grey;
            if (c == 0) grey = torch::sin(rows * 1.2 + phase);
            else if (c == 1) grey = torch::sin(cols * 1.2 + phase);
            else grey = 2.0 * ((rows - 7.5 - phase).pow(2) + (cols - 7.5).pow(2) < 20).to(torch::kFloat32) - 1.0;
            const torch::Tensor colour = 0.5 + 0.5 * torch::rand({3, 1, 1});
            images.push_back((grey.unsqueeze(0) * colour + 0.2 * torch::randn({3, 16, 16})).clamp(-1, 1));
            labels.push_back(c);
        }
    }
    ImageDataset data;
    data.images = torch::stack(images);
    data.labels = torch::tensor(labels, torch::kInt64);
    data.class_names = {"horizontal", "vertical", "disc"};
    data.source = "synthetic stripes and discs";
    return data;
}

FeatureTrainingOptions quick_options(const fs::path& dir) {
    FeatureTrainingOptions o;
    o.run.iterations = 150;
    o.batch = 32;
    o.width = 8;
    o.learning_rate = 3e-3;
    o.seed = 5;
    o.out = (dir / "net.features").string();
    o.command = "test";
    return o;
}

}  // namespace

class TestFeatureNetwork : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        dir_ = fs::temp_directory_path() / ("irl-features-" + std::to_string(::getpid()));
        fs::create_directories(dir_);
    }
    void cleanupTestCase() { fs::remove_all(dir_); }

    void heldOutEveryTenthOfEachClass() {
        const ImageDataset data = stripes_and_discs(25, 1);
        const HeldOutSplit split = split_held_out(data, 0.1);
        QCOMPARE(split.held_out.size(), int64_t(6));  // pictures 10 and 20 of each class
        QCOMPARE(split.train.size(), int64_t(69));
        QVERIFY(torch::equal(split.held_out.labels, torch::tensor({0, 0, 1, 1, 2, 2}, torch::kInt64)));
        QVERIFY(torch::equal(split.held_out.images[0], data.images[9]));
        QVERIFY(torch::equal(split.held_out.images[1], data.images[19]));
    }

    void learnsTheClassesAndKeepsItsCard() {
        FeatureTraining training(stripes_and_discs(60, 2), quick_options(dir_));
        training.run({});
        const FeatureFacts& facts = training.facts();
        QVERIFY2(facts.held_out_accuracy >= 0.9, std::to_string(facts.held_out_accuracy).c_str());
        QCOMPARE(facts.held_out_images, int64_t(18));
        QCOMPARE(facts.iterations, int64_t(150));
        QVERIFY(!facts.partial);

        const FeatureFile file = load_feature_network(quick_options(dir_).out, ImageShape{3, 16, 16});
        QCOMPARE(file.facts.class_names, facts.class_names);
        QCOMPARE(file.facts.held_out_accuracy, facts.held_out_accuracy);
        QCOMPARE(file.facts.data, std::string("synthetic stripes and discs"));
        FeatureFile copy = file;
        const torch::Tensor probe = training.split().held_out.images;
        QVERIFY(torch::allclose(features_of(copy.network, probe).features, features_of(training.network(), probe).features));
        try {
            load_feature_network(quick_options(dir_).out, ImageShape{1, 16, 16});
            QFAIL("a network for colour pictures must refuse grey ones");
        } catch (const std::runtime_error& e) {
            QCOMPARE(std::string(e.what()), "'" + quick_options(dir_).out + "' is a feature network for 3x16x16 pictures, and these are 1x16x16");
        }
    }

    void oneClassTrainsAnAutoencoder() {
        // Pictures without classes: the features are an autoencoder's code, and it rebuilds held-out
        // pictures better than their mean picture does.
        ImageDataset data = stripes_and_discs(100, 8);
        data.labels = torch::zeros_like(data.labels);
        data.class_names = {"pictures"};
        FeatureTrainingOptions o = quick_options(dir_);
        o.run.iterations = 200;
        o.out = (dir_ / "auto.features").string();
        FeatureTraining training(data, o);
        training.run({});
        const FeatureFacts& facts = training.facts();
        QCOMPARE(facts.kind, std::string("autoencoder"));
        QCOMPARE(facts.held_out_accuracy, -1.0);
        QVERIFY2(facts.held_out_error >= 0.0 && facts.held_out_error < 0.7 * facts.data_variance,
                 (std::to_string(facts.held_out_error) + " against a variance of " + std::to_string(facts.data_variance)).c_str());
        FeatureFile file = load_feature_network(o.out, ImageShape{3, 16, 16});
        QVERIFY(file.network->autoencoder());
        QCOMPARE(file.facts.kind, std::string("autoencoder"));
        // Its features judge: two halves of one set are closer than the set and a brightened copy.
        const torch::Tensor images = stripes_and_discs(200, 9).images;
        const FeatureOutputs all = features_of(file.network, images);
        QCOMPARE(all.logits.size(1), int64_t(0));
        const torch::Tensor order = torch::randperm(images.size(0), torch::kInt64);
        const double halves = frechet_distance(all.features.index_select(0, order.narrow(0, 0, 300)),
                                               all.features.index_select(0, order.narrow(0, 300, 300)));
        const double shift = frechet_distance(all.features, features_of(file.network, (images + 0.5).clamp(-1, 1)).features);
        QVERIFY2(halves < shift, (std::to_string(halves) + " against " + std::to_string(shift)).c_str());
    }

    void resumesWhereItStopped() {
        const ImageDataset data = stripes_and_discs(30, 4);
        FeatureTrainingOptions straight = quick_options(dir_);
        straight.run.iterations = 30;
        straight.out.clear();
        FeatureTraining reference(data, straight);
        reference.run({});

        FeatureTrainingOptions first = straight;
        first.run.iterations = 12;
        first.run.checkpoint = (dir_ / "run.ckpt").string();
        first.run.checkpoint_every = 12;
        FeatureTraining(data, first).run({});
        FeatureTrainingOptions second = first;
        second.run.iterations = 30;
        second.run.resume = true;
        FeatureTraining resumed(data, second);
        QCOMPARE(resumed.iterations(), int64_t(12));
        resumed.run({});
        const auto a = reference.network()->parameters(), b = resumed.network()->parameters();
        for (size_t i = 0; i < a.size(); ++i) QVERIFY(torch::allclose(a[i], b[i], 1e-5, 1e-6));
    }

    void theBundledFashionJudge() {
        // The second Fashion-MNIST judge is a real classifier of the test images it never saw.
        const FeatureFile judge = load_feature_network(find_resource("models/fashion-features.pt"), ImageShape{1, 28, 28});
        QCOMPARE(judge.facts.class_names, fashion_mnist_class_names());
        QVERIFY(!judge.facts.partial);
        const ImageDataset test = load_fashion_mnist("test");
        FeatureNetwork network = judge.network;
        const FeatureOutputs out = features_of(network, test.images.narrow(0, 0, 1000));
        const double accuracy = (out.logits.argmax(1) == test.labels.narrow(0, 0, 1000)).to(torch::kFloat64).mean().item<double>();
        QVERIFY2(accuracy > 0.85, std::to_string(accuracy).c_str());
        QCOMPARE(out.features.sizes(), (std::vector<int64_t>{1000, 128}));
    }

    void frechetDistanceOnItsFeatures() {
        FeatureTrainingOptions o = quick_options(dir_);
        o.out.clear();
        FeatureTraining training(stripes_and_discs(60, 6), o);
        training.run({});
        const torch::Tensor images = stripes_and_discs(200, 7).images;
        const torch::Tensor order = torch::randperm(images.size(0), torch::kInt64);
        const torch::Tensor all = features_of(training.network(), images).features;
        const torch::Tensor shifted = features_of(training.network(), (images + 0.5).clamp(-1, 1)).features;
        const torch::Tensor a = all.index_select(0, order.narrow(0, 0, 300)), b = all.index_select(0, order.narrow(0, 300, 300));
        // Against itself: zero up to the rounding of two eigen-decompositions, relative to the spread.
        const double self = frechet_distance(all, all), spread = torch::var(all, 0).sum().item<double>();
        QVERIFY2(std::abs(self) < 1e-6 * spread, (std::to_string(self) + " with a spread of " + std::to_string(spread)).c_str());
        const double halves = frechet_distance(a, b), shift = frechet_distance(all, shifted);
        QVERIFY2(halves < shift, (std::to_string(halves) + " against " + std::to_string(shift)).c_str());
    }

private:
    fs::path dir_;
};

IRL_TEST_CLASS("test_feature_network", TestFeatureNetwork)
#include "test_feature_network.moc"
