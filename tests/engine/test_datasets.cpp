// Data sets: Fashion-MNIST from Debian's package (and the env override), idx parsing errors by
// file, class filters, and image folders with unreadable files skipped and reported.
#include "irl/engine/data/image_dataset.h"
#include "test_registry.h"

#include <QtTest/QtTest>
#include <torch/torch.h>

#include <opencv2/imgcodecs.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace irl;
namespace fs = std::filesystem;

namespace {

void write_bytes(const fs::path& path, const std::vector<uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<uint8_t> idx_header(uint8_t dims, std::vector<uint32_t> sizes) {
    std::vector<uint8_t> b{0, 0, 0x08, dims};
    for (uint32_t s : sizes) b.insert(b.end(), {uint8_t(s >> 24), uint8_t(s >> 16), uint8_t(s >> 8), uint8_t(s)});
    return b;
}

}  // namespace

class TestDatasets : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void fashionMnistFromDebian();
    void classFilter();
    void environmentOverrideAndErrors();
    void imageFolder();

private:
    fs::path dir_;
};

void TestDatasets::initTestCase() {
    dir_ = fs::temp_directory_path() / ("irl-data-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
}

void TestDatasets::cleanupTestCase() { fs::remove_all(dir_); }

void TestDatasets::fashionMnistFromDebian() {
    const ImageDataset test = load_fashion_mnist("test");
    QCOMPARE(test.size(), int64_t(10000));
    QCOMPARE(test.images.sizes(), (std::vector<int64_t>{10000, 1, 28, 28}));
    QVERIFY(test.images.min().item<float>() >= -1.0f && test.images.max().item<float>() <= 1.0f);
    // The test split is balanced: 1000 images per class.
    QVERIFY(torch::equal(torch::bincount(test.labels), torch::full({10}, 1000, torch::kInt64)));
    QCOMPARE(test.class_names.at(9), std::string("Ankle boot"));
    QCOMPARE(load_fashion_mnist("train").size(), int64_t(60000));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, load_fashion_mnist("validation"));
}

void TestDatasets::classFilter() {
    const ImageDataset footwear = load_fashion_mnist("test").filtered({5, 7, 9});
    QCOMPARE(footwear.size(), int64_t(3000));
    QVERIFY(((footwear.labels == 5) | (footwear.labels == 7) | (footwear.labels == 9)).all().item<bool>());
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, load_fashion_mnist("test").filtered({10}));
}

void TestDatasets::environmentOverrideAndErrors() {
    // A tiny "Fashion-MNIST" of 3 images in plain (ungzipped) idx files, found through the variable.
    std::vector<uint8_t> images = idx_header(3, {3, 28, 28});
    images.resize(images.size() + 3 * 28 * 28, 255);
    std::vector<uint8_t> labels = idx_header(1, {3});
    labels.insert(labels.end(), {1, 2, 3});
    write_bytes(dir_ / "t10k-images-idx3-ubyte.gz", images);
    write_bytes(dir_ / "t10k-labels-idx1-ubyte.gz", labels);
    qputenv("IRL_FASHION_MNIST_DIR", QByteArray::fromStdString(dir_.string()));
    const ImageDataset tiny = load_fashion_mnist("test");
    qunsetenv("IRL_FASHION_MNIST_DIR");
    QCOMPARE(tiny.size(), int64_t(3));
    QCOMPARE(tiny.images.max().item<float>(), 1.0f);

    // Truncated: the header promises more labels than the file holds.
    std::vector<uint8_t> truncated = idx_header(1, {5});
    truncated.insert(truncated.end(), {1, 2});
    write_bytes(dir_ / "t10k-labels-idx1-ubyte.gz", truncated);
    try {
        load_fashion_mnist("test", dir_.string());
        QFAIL("expected an error");
    } catch (const std::runtime_error& e) {
        QVERIFY2(QString(e.what()).contains("t10k-labels-idx1-ubyte.gz") && QString(e.what()).contains("truncated"), e.what());
    }
    // Foreign: not an idx file at all.
    write_bytes(dir_ / "t10k-labels-idx1-ubyte.gz", {'P', 'K', 3, 4, 0, 0, 0, 0});
    try {
        load_fashion_mnist("test", dir_.string());
        QFAIL("expected an error");
    } catch (const std::runtime_error& e) {
        QVERIFY2(QString(e.what()).contains("magic"), e.what());
    }
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, load_fashion_mnist("test", (dir_ / "nowhere").string()));
}

void TestDatasets::imageFolder() {
    const fs::path root = dir_ / "folder";
    fs::create_directories(root / "cats");
    fs::create_directories(root / "dogs");
    cv::imwrite((root / "cats" / "a.png").string(), cv::Mat(50, 40, CV_8UC3, cv::Scalar(0, 0, 255)));   // red, BGR
    cv::imwrite((root / "cats" / "b.jpg").string(), cv::Mat(10, 10, CV_8UC1, cv::Scalar(0)));
    cv::imwrite((root / "dogs" / "c.png").string(), cv::Mat(64, 64, CV_8UC3, cv::Scalar(255, 255, 255)));
    std::ofstream(root / "dogs" / "broken.png") << "not really a png";
    ImageFolderReport report;
    const ImageDataset colour = load_image_folder(root.string(), 3, 16, &report);
    QCOMPARE(colour.size(), int64_t(3));
    QCOMPARE(colour.images.sizes(), (std::vector<int64_t>{3, 3, 16, 16}));
    QCOMPARE(colour.class_names, (std::vector<std::string>{"cats", "dogs"}));
    QVERIFY(torch::equal(colour.labels, torch::tensor({0, 0, 1}, torch::kInt64)));
    // RGB order: the red image is +1 in channel 0 and -1 in channel 2.
    QCOMPARE(colour.images[0][0].mean().item<float>(), 1.0f);
    QCOMPARE(colour.images[0][2].mean().item<float>(), -1.0f);
    QCOMPARE(report.skipped.size(), size_t(1));
    QVERIFY(QString::fromStdString(report.skipped[0]).contains("broken.png"));
    const ImageDataset grey = load_image_folder(root.string(), 1, 28);
    QCOMPARE(grey.images.sizes(), (std::vector<int64_t>{3, 1, 28, 28}));
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, load_image_folder((root / "cats").string(), 1, 28));
}

IRL_TEST_CLASS("test_datasets", TestDatasets)
#include "test_datasets.moc"
