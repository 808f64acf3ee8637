// Data sets: Fashion-MNIST from Debian's package (and the env override), idx parsing errors by
// file, class filters, image folders with unreadable files skipped and reported, and the one
// converter to a model's shape (colour, size, aspect) checked pixel by pixel.
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
    void conversionToAShape();
    void shapesAndFitsFromText();
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
    // Fully transparent blue: white once composited.
    cv::imwrite((root / "dogs" / "d.png").string(), cv::Mat(20, 30, CV_8UC4, cv::Scalar(255, 0, 0, 0)));
    cv::imwrite((root / "dogs" / "tiny.png").string(), cv::Mat(1, 1, CV_8UC3, cv::Scalar(9, 9, 9)));
    std::ofstream(root / "dogs" / "broken.png") << "not really a png";
    ImageFolderReport report;
    const ImageDataset colour = load_image_folder(root.string(), {3, 16, 16}, AspectFit::Crop, &report);
    QCOMPARE(colour.size(), int64_t(4));
    QCOMPARE(colour.images.sizes(), (std::vector<int64_t>{4, 3, 16, 16}));
    QCOMPARE(colour.class_names, (std::vector<std::string>{"cats", "dogs"}));
    QVERIFY(torch::equal(colour.labels, torch::tensor({0, 0, 1, 1}, torch::kInt64)));
    // RGB order: the red image is +1 in channel 0 and -1 in channel 2; colour is kept.
    QCOMPARE(colour.images[0][0].mean().item<float>(), 1.0f);
    QCOMPARE(colour.images[0][2].mean().item<float>(), -1.0f);
    QCOMPARE(colour.images[3].min().item<float>(), 1.0f);
    QCOMPARE(report.skipped.size(), size_t(2));
    QVERIFY(QString::fromStdString(report.skipped[0]).contains("broken.png"));
    QVERIFY2(QString::fromStdString(report.skipped[1]).contains("tiny.png: 1x1 pixels"), report.skipped[1].c_str());
    QCOMPARE(report.converted.grey_to_colour, int64_t(1));
    QCOMPARE(report.converted.alpha_dropped, int64_t(1));
    QCOMPARE(report.converted.reshaped, int64_t(4));
    QVERIFY2(QString::fromStdString(report.converted.sentence({3, 16, 16}, AspectFit::Crop)).contains("repeated 1 grey image into colour"),
             report.converted.sentence({3, 16, 16}, AspectFit::Crop).c_str());
    ImageFolderReport grey_report;
    const ImageDataset grey = load_image_folder(root.string(), {1, 28, 20}, AspectFit::Pad, &grey_report);
    QCOMPARE(grey.images.sizes(), (std::vector<int64_t>{4, 1, 28, 20}));
    QCOMPARE(grey_report.converted.colour_to_grey, int64_t(1));  // the red one; white stays white, untold
    // A flat folder is one class, named after it.
    const ImageDataset flat = load_image_folder((root / "cats").string() + "/", {1, 8, 8}, AspectFit::Crop);
    QCOMPARE(flat.size(), int64_t(2));
    QCOMPARE(flat.class_names, (std::vector<std::string>{"cats"}));
    // A folder of nothing usable is refused in one sentence that says why.
    fs::create_directories(dir_ / "junk");
    std::ofstream(dir_ / "junk" / "notes.txt") << "hello";
    try {
        load_image_folder((dir_ / "junk").string(), {1, 28, 28}, AspectFit::Crop);
        QFAIL("expected an error");
    } catch (const std::runtime_error& e) {
        QVERIFY2(QString(e.what()).contains("holds no readable image") && QString(e.what()).contains("notes.txt"), e.what());
    }
}

// Crop keeps the middle, pad extends the border, colour to grey is BT.601 luma, grey to colour
// repeats: each checked on pixels whose answer is known.
void TestDatasets::conversionToAShape() {
    // One 1x4x8 image whose columns are 0..7 (scaled into [-1, 1]).
    const torch::Tensor columns = torch::arange(8, torch::kFloat32).div(7.0).mul(2.0).sub(1.0).reshape({1, 1, 1, 8}).expand({1, 1, 4, 8}).contiguous();
    ConversionNotes notes;
    // To 4x4 by crop: no scaling (4/4 covers), the middle columns 2..5.
    const torch::Tensor cropped = convert_images(columns, {1, 4, 4}, AspectFit::Crop, &notes);
    QVERIFY(torch::equal(cropped, columns.narrow(3, 2, 4)));
    // To 8x8 by pad: no scaling (8/8 fits), two rows above and below copied from the edge.
    const torch::Tensor padded = convert_images(columns, {1, 8, 8}, AspectFit::Pad, &notes);
    QCOMPARE(padded.sizes(), (torch::IntArrayRef{1, 1, 8, 8}));
    for (int64_t row = 0; row < 8; ++row) QVERIFY(torch::equal(padded[0][0][row], columns[0][0][0]));
    QCOMPARE(notes.reshaped, int64_t(2));
    // To 1x2x4 by crop: halved by area averaging, neighbouring columns meet.
    const torch::Tensor halved = convert_images(columns, {1, 2, 4}, AspectFit::Crop);
    QVERIFY(torch::allclose(halved[0][0][0], (columns[0][0][0].reshape({4, 2}).sum(1) / 2.0), 1e-6, 1e-6));
    // Colour: pure red is 0.299 of white.
    const torch::Tensor red = torch::stack({torch::ones({2, 2}), -torch::ones({2, 2}), -torch::ones({2, 2})}).unsqueeze(0);
    ConversionNotes colour_notes;
    const torch::Tensor grey = convert_images(red, {1, 2, 2}, AspectFit::Crop, &colour_notes);
    QVERIFY(torch::allclose(grey, torch::full({1, 1, 2, 2}, 0.299f * 1.0f + 0.701f * -1.0f), 1e-5, 1e-5));
    QCOMPARE(colour_notes.colour_to_grey, int64_t(1));
    QCOMPARE(colour_notes.reshaped, int64_t(0));
    const torch::Tensor back = convert_images(grey, {3, 2, 2}, AspectFit::Crop, &colour_notes);
    QVERIFY(torch::equal(back, grey.expand({1, 3, 2, 2})));
    QCOMPARE(colour_notes.grey_to_colour, int64_t(1));
    // Already of the shape: the same tensor.
    QVERIFY(convert_images(red, {3, 2, 2}, AspectFit::Pad).is_same(red));
    // A 16-bit picture: full scale is white.
    const torch::Tensor white = picture_to_image(cv::Mat(3, 5, CV_16UC1, cv::Scalar(65535)), {1, 3, 5}, AspectFit::Crop);
    QCOMPARE(white.min().item<float>(), 1.0f);
}

void TestDatasets::shapesAndFitsFromText() {
    QVERIFY(parse_image_shape("3x32x32", "--shape") == (ImageShape{3, 32, 32}));
    QVERIFY(parse_image_shape("1 \xC3\x97 28 \xC3\x97 20", "--shape") == (ImageShape{1, 28, 20}));
    for (const std::string bad : {"2x32x32", "3x32", "3x0x32", "axbxc", ""}) {
        try {
            parse_image_shape(bad, "the Dataset node's Shape");
            QFAIL(("expected an error for '" + bad + "'").c_str());
        } catch (const std::invalid_argument& e) {
            QVERIFY2(QString(e.what()).startsWith("the Dataset node's Shape must be CxHxW"), e.what());
        }
    }
    QVERIFY(aspect_fit_from_string("pad", "--fit") == AspectFit::Pad);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, aspect_fit_from_string("stretch", "--fit"));
    QVERIFY(image_shape_of({3, 32, 32}) == (ImageShape{3, 32, 32}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, image_shape_of({2}));
}

IRL_TEST_CLASS("test_datasets", TestDatasets)
#include "test_datasets.moc"
