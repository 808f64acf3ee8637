// The U-Net denoiser: shapes, EDM preconditioning, weights files round trip and their errors,
// and denoiser training that lowers the loss, checkpoints atomically and resumes.
#include "irl/engine/learning/denoiser_training.h"
#include "irl/engine/models/fashion_classifier.h"
#include "irl/engine/models/unet_denoiser.h"
#include "test_registry.h"

#include <QtTest/QtTest>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

using namespace irl;
namespace fs = std::filesystem;

namespace {

UnetConfig tiny_config() {
    UnetConfig c;
    c.image_size = 8;
    c.num_classes = 3;
    c.channels = {8, 16};
    c.embedding = 16;
    return c;
}

ImageDataset tiny_data() {
    // Three classes of 8x8 images: a bright row, column or diagonal on a dark ground.
    std::vector<torch::Tensor> images;
    std::vector<int64_t> labels;
    for (int i = 0; i < 96; ++i) {
        torch::Tensor img = -torch::ones({1, 8, 8});
        const int c = i % 3, k = i / 3 % 8;
        if (c == 0) img[0][k].fill_(1.0);
        else if (c == 1) img[0].select(1, k).fill_(1.0);
        else for (int j = 0; j < 8; ++j) img[0][j][(j + k) % 8] = 1.0;
        images.push_back(img);
        labels.push_back(c);
    }
    return {torch::stack(images), torch::tensor(labels, torch::kInt64), {"row", "column", "diagonal"}, "tiny"};
}

}  // namespace

class TestUnet : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void shapesAndPreconditioning();
    void weightsRoundTrip();
    void badWeightsFiles();
    void trainingLowersLossAndResumes();
    void classifierRoundTrip();

private:
    fs::path dir_;
};

void TestUnet::initTestCase() {
    dir_ = fs::temp_directory_path() / ("irl-unet-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
}

void TestUnet::cleanupTestCase() { fs::remove_all(dir_); }

void TestUnet::shapesAndPreconditioning() {
    EdmUnet net(tiny_config());
    UnetDenoiser denoiser(net);
    QCOMPARE(denoiser.sample_shape(), (std::vector<int64_t>{1, 8, 8}));
    const torch::Tensor x = torch::randn({5, 1, 8, 8});
    const torch::Tensor sigma = torch::tensor({0.002f, 0.1f, 1.0f, 10.0f, 80.0f});
    const torch::Tensor labels = torch::tensor({0, 1, 2, -1, -1}, torch::kInt64);
    const torch::Tensor d = denoiser.denoise(x, sigma, labels);
    QCOMPARE(d.sizes(), x.sizes());
    // A fresh network outputs F = 0 (zero-initialised last layer), so D = c_skip x exactly.
    const torch::Tensor c_skip = 0.25f / (sigma.square() + 0.25f);
    QVERIFY(torch::allclose(d, c_skip.reshape({-1, 1, 1, 1}) * x, 1e-5, 1e-6));
}

void TestUnet::weightsRoundTrip() {
    EdmUnet net(tiny_config());
    {
        torch::NoGradGuard no_grad;
        for (auto& p : net->parameters()) p.normal_(0.0, 0.1);
    }
    const std::string path = (dir_ / "w.pt").string();
    save_unet_weights(net, path, R"({"steps": 7})");
    auto loaded = UnetDenoiser::load(path);
    UnetDenoiser original(net);
    const torch::Tensor x = torch::randn({4, 1, 8, 8});
    const torch::Tensor sigma = torch::full({4}, 0.7f);
    const torch::Tensor labels = torch::tensor({0, 1, 2, -1}, torch::kInt64);
    QVERIFY(torch::equal(original.denoise(x, sigma, labels), loaded->denoise(x, sigma, labels)));
    QCOMPARE(loaded->num_classes(), int64_t(3));
    QVERIFY(QString::fromStdString(read_unet_facts(path)).contains("\"steps\": 7") ||
            QString::fromStdString(read_unet_facts(path)).contains("\"steps\":7"));
    QVERIFY(QString::fromStdString(loaded->identity()).contains("w.pt"));
}

void TestUnet::badWeightsFiles() {
    auto expect = [](const std::string& path, const QString& mentions) {
        try {
            UnetDenoiser::load(path);
            QFAIL("expected an error");
        } catch (const std::runtime_error& e) {
            QVERIFY2(QString(e.what()).contains(mentions) && QString(e.what()).contains(QString::fromStdString(path)), e.what());
        }
    };
    expect((dir_ / "missing.pt").string(), "does not exist");
    std::ofstream(dir_ / "garbage.pt") << "garbage";
    expect((dir_ / "garbage.pt").string(), "corrupt");
    // Half a file, as a crash mid-write would leave without atomic saving.
    EdmUnet net(tiny_config());
    save_unet_weights(net, (dir_ / "whole.pt").string(), "{}");
    const auto size = fs::file_size(dir_ / "whole.pt");
    fs::copy_file(dir_ / "whole.pt", dir_ / "half.pt", fs::copy_options::overwrite_existing);
    fs::resize_file(dir_ / "half.pt", size / 2);
    expect((dir_ / "half.pt").string(), "corrupt");
    // Another format: a classifier file.
    FashionClassifier classifier;
    save_classifier(classifier, (dir_ / "classifier.pt").string(), "{}");
    expect((dir_ / "classifier.pt").string(), "not an IRL Sampler Studio U-Net");
}

void TestUnet::trainingLowersLossAndResumes() {
    const ImageDataset data = tiny_data();
    DenoiserTrainingOptions options;
    options.model = tiny_config();
    options.batch = 32;
    options.learning_rate = 3e-3;
    options.warmup = 10;
    options.steps = 150;
    options.checkpoint = (dir_ / "train.ckpt").string();
    options.checkpoint_every = 50;
    options.export_path = (dir_ / "trained.pt").string();
    std::vector<double> losses;
    CancelToken cancel;
    int64_t last_step = 0;
    // Stop after 100 steps as a user would (cancel), then resume to 150.
    QVERIFY_THROWS_EXCEPTION(Cancelled, train_denoiser(data, options, [&](const DenoiserTrainingProgress& p) {
        losses.push_back(p.loss);
        last_step = p.step;
        if (p.step == 100) cancel.cancel();
    }, &cancel));
    QCOMPARE(last_step, int64_t(100));
    QVERIFY(fs::exists(options.checkpoint));
    QVERIFY(fs::exists(options.export_path));
    bool resumed = false;
    int64_t first_resumed_step = -1;
    train_denoiser(data, options, [&](const DenoiserTrainingProgress& p) {
        if (first_resumed_step < 0) first_resumed_step = p.step;
        resumed = p.resumed;
        losses.push_back(p.loss);
    });
    QVERIFY(resumed);
    QCOMPARE(first_resumed_step, int64_t(101));
    qInfo("running loss: step 10 %.3f, step 150 %.3f", losses[9], losses.back());
    QVERIFY(losses.back() < 0.7 * losses[9]);
    // A checkpoint for another network is refused, naming the file.
    options.model.channels = {8, 8};
    try {
        train_denoiser(data, options, nullptr);
        QFAIL("expected an error");
    } catch (const std::runtime_error& e) {
        QVERIFY(QString(e.what()).contains("train.ckpt"));
    }
}

void TestUnet::classifierRoundTrip() {
    FashionClassifier model;
    const std::string path = (dir_ / "c.pt").string();
    save_classifier(model, path, R"({"test_accuracy": 0.5})");
    FashionClassifier loaded = load_classifier(path);
    const torch::Tensor x = torch::rand({3, 1, 28, 28}) * 2 - 1;
    const ClassifierOutputs a = classify(model, x), b = classify(loaded, x);
    QVERIFY(torch::equal(a.logits, b.logits));
    QCOMPARE(a.features.sizes(), (std::vector<int64_t>{3, 128}));
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, load_classifier((dir_ / "nothing.pt").string()));
}

IRL_TEST_CLASS("test_unet", TestUnet)
#include "test_unet.moc"
