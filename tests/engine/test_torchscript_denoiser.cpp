// Bringing your own denoiser: the TorchScript fixtures are exact denoisers of known Gaussian
// classes (tests/fixtures/make_torchscript_fixture.py), so both call conventions are checked
// against the closed form, frozen for inference and as saved; the frozen copy of a small conv
// net agrees with the module as saved; broken files get errors that name them.
#include "irl/engine/core/resources.h"
#include "irl/engine/models/gaussian_mixture.h"
#include "irl/engine/models/torchscript_denoiser.h"
#include "irl/engine/models/unet_denoiser.h"
#include "test_support.h"
#include "test_registry.h"

#include <QtTest/QtTest>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

using namespace irl;

namespace {

const std::string kFixtures = IRL_FIXTURE_DIR;

// The fixtures' data: class c is N(mu_c, 0.25 I) on 1x4x4 images.
GaussianMixture fixture_mixture() {
    const torch::Tensor ramp = torch::linspace(-0.8, 0.8, 16, torch::kFloat64);
    const torch::Tensor means = torch::stack({ramp, ramp.flip(0)});
    const torch::Tensor covariances = 0.25 * torch::eye(16, torch::kFloat64).expand({2, 16, 16}).clone();
    return GaussianMixture(torch::ones({2}, torch::kFloat64), means, covariances, torch::arange(2, torch::kInt64));
}

void expect_error(const std::string& path, const QString& mentions) {
    try {
        TorchScriptDenoiser::load(path);
        QFAIL("expected an error");
    } catch (const std::runtime_error& e) {
        QVERIFY2(QString(e.what()).contains(mentions), e.what());
    }
}

}  // namespace

class TestTorchScriptDenoiser : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesClosedForm_data();
    void matchesClosedForm();
    void frozenCopyAgreesWithTheModuleAsSaved();
    void exportedUnetAgreesWithTheNativeOne();
    void gradientPathAgreesWithInference();
    void gradientsOfTheClosedFormFixture();
    void aDenoiserWithoutGradientsSaysSo();
    void errorsNameTheFile();
    void everyFlippedByteIsRefusedOrHarmless();
};

void TestTorchScriptDenoiser::matchesClosedForm_data() {
    QTest::addColumn<QString>("file");
    QTest::addColumn<bool>("frozen");
    QTest::newRow("returns D, frozen") << "gaussian-denoised.pt" << true;
    QTest::newRow("returns D, as saved") << "gaussian-denoised.pt" << false;
    QTest::newRow("returns raw F, frozen") << "gaussian-raw.pt" << true;
    QTest::newRow("returns raw F, as saved") << "gaussian-raw.pt" << false;
}

void TestTorchScriptDenoiser::matchesClosedForm() {
    QFETCH(QString, file);
    QFETCH(bool, frozen);
    const TorchScriptMode mode = frozen ? TorchScriptMode::Frozen : TorchScriptMode::AsSaved;
    auto denoiser = TorchScriptDenoiser::load(kFixtures + "/" + file.toStdString(), mode);
    QVERIFY(denoiser->mode() == mode);
    QCOMPARE(denoiser->sample_shape(), (std::vector<int64_t>{1, 4, 4}));
    QCOMPARE(denoiser->num_classes(), int64_t(2));
    const GaussianMixture truth = fixture_mixture();
    torch::manual_seed(1);
    const torch::Tensor sigma = torch::tensor({0.01, 0.3, 1.0, 5.0, 80.0, 0.5});
    const torch::Tensor labels = torch::tensor({0, 1, -1, 0, 1, -1}, torch::kInt64);
    const torch::Tensor x = torch::randn({6, 1, 4, 4}) * (sigma.reshape({-1, 1, 1, 1}) + 0.5);
    const torch::Tensor got = denoiser->denoise(x, sigma, labels).to(torch::kFloat64).reshape({6, 16});
    const torch::Tensor expected = truth.posterior_mean(x.reshape({6, 16}).to(torch::kFloat64), sigma.to(torch::kFloat64), labels);
    const double error = (got - expected).abs().max().item<double>();
    QVERIFY2(error < 1e-4, qPrintable(QString::number(error)));
}

// Freezing folds the weights into the graph and optimize_for_inference rewrites convolutions and
// group norm for the CPU: the outputs may differ by rounding, and by no more.
void TestTorchScriptDenoiser::frozenCopyAgreesWithTheModuleAsSaved() {
    auto frozen = TorchScriptDenoiser::load(kFixtures + "/conv-raw.pt");
    auto saved = TorchScriptDenoiser::load(kFixtures + "/conv-raw.pt", TorchScriptMode::AsSaved);
    QVERIFY2(frozen->mode() == TorchScriptMode::Frozen, "the conv fixture must freeze");
    torch::manual_seed(3);
    const int64_t n = 48;
    const torch::Tensor sigma = torch::logspace(-2.0, 1.9, n);
    const torch::Tensor labels = torch::arange(n, torch::kInt64).remainder(3) - 1;  // -1, 0, 1, ...
    const torch::Tensor x = torch::randn({n, 1, 8, 8}) * (sigma.reshape({-1, 1, 1, 1}) + 0.5);
    const torch::Tensor a = frozen->denoise(x, sigma, labels), b = saved->denoise(x, sigma, labels);
    const double scale = b.abs().max().item<double>();
    const double error = (a - b).abs().max().item<double>();
    qInfo("frozen against as saved: largest difference %.3g of outputs up to %.3g", error, scale);
    QVERIFY2(error <= 1e-5 * std::max(1.0, scale), qPrintable(QString::number(error)));
    QVERIFY(!torch::equal(a, torch::zeros_like(a)));
}

// The bundled U-Net exported by app/cli/python/export_unet_torchscript.py (at build time), frozen
// and as saved, against the native network on the same inputs: the same weights, the same sums.
void TestTorchScriptDenoiser::exportedUnetAgreesWithTheNativeOne() {
    auto native = UnetDenoiser::load(find_resource("models/fashion-unet.pt"));
    torch::manual_seed(5);
    const int64_t n = 12;
    const torch::Tensor sigma = torch::logspace(-2.0, 1.9, n);
    const torch::Tensor labels = torch::arange(n, torch::kInt64).remainder(11) - 1;  // the null label and every class
    const torch::Tensor x = torch::randn({n, 1, 28, 28}) * (sigma.reshape({-1, 1, 1, 1}) + 0.5);
    const torch::Tensor expected = native->denoise(x, sigma, labels);
    const double scale = std::max(1.0, expected.abs().max().item<double>());
    for (const TorchScriptMode mode : {TorchScriptMode::Frozen, TorchScriptMode::AsSaved}) {
        auto exported = TorchScriptDenoiser::load(kFixtures + "/fashion-unet-ts.pt", mode);
        QVERIFY(exported->mode() == mode);
        QCOMPARE(exported->sample_shape(), native->sample_shape());
        QCOMPARE(exported->num_classes(), native->num_classes());
        const double error = (exported->denoise(x, sigma, labels) - expected).abs().max().item<double>();
        qInfo("%s: largest difference %.3g of outputs up to %.3g", mode == TorchScriptMode::Frozen ? "frozen" : "as saved", error, scale);
        QVERIFY2(error <= 1e-4 * scale, qPrintable(QString::number(error)));
    }
}

// denoise_with_gradients() on the bundled U-Net, native and exported (frozen for denoise(), as saved
// for gradients): the same values as the inference path, gradients in x and sigma that match a
// central difference of the function itself, the same gradients on both, none for the weights.
void TestTorchScriptDenoiser::gradientPathAgreesWithInference() {
    auto native = UnetDenoiser::load(find_resource("models/fashion-unet.pt"));
    auto exported = TorchScriptDenoiser::load(kFixtures + "/fashion-unet-ts.pt");
    QVERIFY(native->gives_gradients() && exported->gives_gradients());
    torch::manual_seed(9);
    const int64_t n = 6;
    const torch::Tensor sigma0 = torch::logspace(-1.0, 1.3, n);
    const torch::Tensor labels = torch::tensor({0, 3, -1, 7, 9, -1}, torch::kInt64);
    const torch::Tensor x0 = torch::randn({n, 1, 28, 28}) * (sigma0.reshape({-1, 1, 1, 1}) + 0.5);
    const torch::Tensor weights = torch::randn({n, 1, 28, 28});  // the loss <weights, D(x; sigma)>
    std::vector<torch::Tensor> x_grads;
    for (Denoiser* denoiser : std::initializer_list<Denoiser*>{native.get(), exported.get()}) {
        const torch::Tensor inference = denoiser->denoise(x0, sigma0, labels);
        QVERIFY(!inference.requires_grad());
        const torch::Tensor x = x0.clone().requires_grad_(true);
        const torch::Tensor sigma = sigma0.clone().requires_grad_(true);
        const torch::Tensor out = denoiser->denoise_with_gradients(x, sigma, labels);
        const double scale = std::max(1.0, inference.abs().max().item<double>());
        const double error = (out.detach() - inference).abs().max().item<double>();
        qInfo("%s: gradient path against inference path, largest difference %.3g", denoiser->identity().c_str(), error);
        QVERIFY2(error <= 1e-4 * scale, qPrintable(QString::number(error)));
        (out * weights).sum().backward();
        QVERIFY(x.grad().defined() && sigma.grad().defined());
        QVERIFY(torch::isfinite(x.grad()).all().item<bool>() && torch::isfinite(sigma.grad()).all().item<bool>());
        QVERIFY(x.grad().abs().sum().item<double>() > 0.0);
        x_grads.push_back(x.grad());
        // Against a central difference along a random direction in x, and in each sigma (float64 sums
        // of float32 outputs: steps large enough to stay above rounding).
        torch::NoGradGuard no_grad;
        auto loss = [&](const torch::Tensor& xs, const torch::Tensor& ss) {
            return (denoiser->denoise(xs, ss, labels).to(torch::kFloat64) * weights.to(torch::kFloat64)).sum().item<double>();
        };
        const torch::Tensor direction = torch::randn_like(x0);
        const double h = 1e-2;
        const double numeric_x = (loss(x0 + h * direction, sigma0) - loss(x0 - h * direction, sigma0)) / (2 * h);
        const double analytic_x = (x.grad().to(torch::kFloat64) * direction.to(torch::kFloat64)).sum().item<double>();
        QVERIFY2(std::abs(numeric_x - analytic_x) <= 0.02 * std::abs(analytic_x) + 1e-2,
                 qPrintable(QString("x: %1 against %2").arg(analytic_x).arg(numeric_x)));
        // The noise embedding turns sigma into phases of up to 250 log(sigma): a relative step of 3e-4
        // moves them by 0.075 rad at most, small enough for a central difference, large enough above
        // float32 rounding.
        for (int64_t i = 0; i < n; ++i) {
            const double step = 3e-4 * sigma0[i].item<double>();
            const torch::Tensor up = sigma0.clone(), down = sigma0.clone();
            up[i] += step;
            down[i] -= step;
            const double numeric = (loss(x0, up) - loss(x0, down)) / (2 * step);
            const double analytic = sigma.grad()[i].item<double>();
            QVERIFY2(std::abs(numeric - analytic) <= 0.05 * std::abs(analytic) + 0.3,
                     qPrintable(QString("sigma %1: %2 against %3").arg(sigma0[i].item<double>()).arg(analytic).arg(numeric)));
        }
    }
    for (const torch::Tensor& parameter : native->network()->parameters()) QVERIFY(!parameter.grad().defined());
    const double difference = (x_grads[0] - x_grads[1]).abs().max().item<double>();
    const double scale = x_grads[0].abs().max().item<double>();
    qInfo("gradient in x, native against exported: largest difference %.3g of values up to %.3g", difference, scale);
    QVERIFY2(difference <= 1e-3 * scale, qPrintable(QString::number(difference)));
}

// The fixture that returns D for a known mixture: its gradient in x and sigma is the closed form's,
// computed by autograd through GaussianMixture::posterior_mean in float64.
void TestTorchScriptDenoiser::gradientsOfTheClosedFormFixture() {
    auto denoiser = TorchScriptDenoiser::load(kFixtures + "/gaussian-denoised.pt");
    const GaussianMixture truth = fixture_mixture();
    torch::manual_seed(2);
    const torch::Tensor sigma0 = torch::tensor({0.1, 0.4, 1.0, 3.0});
    const torch::Tensor labels = torch::tensor({0, 1, -1, -1}, torch::kInt64);
    const torch::Tensor x0 = torch::randn({4, 1, 4, 4}, torch::kFloat64) * (sigma0.reshape({-1, 1, 1, 1}) + 0.5);
    const torch::Tensor weights = torch::randn({4, 16}, torch::kFloat64);
    auto gradients = [&](auto&& function) {
        const torch::Tensor x = x0.clone().requires_grad_(true);
        const torch::Tensor sigma = sigma0.clone().requires_grad_(true);
        (function(x, sigma).reshape({4, 16}).to(torch::kFloat64) * weights).sum().backward();
        return std::make_pair(x.grad(), sigma.grad());
    };
    const auto [x_got, sigma_got] = gradients([&](const torch::Tensor& x, const torch::Tensor& sigma) {
        return denoiser->denoise_with_gradients(x, sigma, labels);
    });
    const auto [x_expected, sigma_expected] = gradients([&](const torch::Tensor& x, const torch::Tensor& sigma) {
        return truth.posterior_mean(x.reshape({4, 16}), sigma, labels);
    });
    const double x_error = (x_got - x_expected).abs().max().item<double>();
    const double sigma_error = (sigma_got - sigma_expected).abs().max().item<double>();
    QVERIFY2(x_error < 1e-3 * std::max(1.0, x_expected.abs().max().item<double>()), qPrintable(QString::number(x_error)));
    QVERIFY2(sigma_error < 1e-3 * std::max(1.0, sigma_expected.abs().max().item<double>()), qPrintable(QString::number(sigma_error)));
}

void TestTorchScriptDenoiser::aDenoiserWithoutGradientsSaysSo() {
    struct Plain : Denoiser {
        torch::Tensor denoise(const torch::Tensor& x, const torch::Tensor&, const torch::Tensor&) override { return x; }
        std::vector<int64_t> sample_shape() const override { return {2}; }
        int64_t num_classes() const override { return 0; }
        double sigma_data() const override { return 1.0; }
        std::string identity() const override { return "plain-test-model"; }
    } plain;
    QVERIFY(!plain.gives_gradients());
    try {
        plain.denoise_with_gradients(torch::zeros({1, 2}), torch::ones({1}), torch::full({1}, int64_t(-1)));
        QFAIL("expected an error");
    } catch (const std::runtime_error& e) {
        QVERIFY2(QString(e.what()).contains("plain-test-model") && QString(e.what()).contains("gradients"), e.what());
    }
}

void TestTorchScriptDenoiser::errorsNameTheFile() {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("irl-ts-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    // No sidecar.
    fs::copy_file(kFixtures + "/gaussian-denoised.pt", dir / "lonely.pt", fs::copy_options::overwrite_existing);
    expect_error((dir / "lonely.pt").string(), "lonely.json");
    // Corrupt TorchScript with a good sidecar.
    std::ofstream(dir / "corrupt.pt") << "this is not a zip archive";
    fs::copy_file(kFixtures + "/gaussian-denoised.json", dir / "corrupt.json", fs::copy_options::overwrite_existing);
    expect_error((dir / "corrupt.pt").string(), "corrupt.pt");
    // A sidecar that lies about the shape: the probe call reports it.
    expect_error(kFixtures + "/gaussian-wrong-shape.pt", "gaussian-wrong-shape.pt");
    // Sidecar problems name the field.
    fs::copy_file(kFixtures + "/gaussian-denoised.pt", dir / "badfield.pt", fs::copy_options::overwrite_existing);
    std::ofstream(dir / "badfield.json") << R"({"input_shape": [1, 4, 4], "num_classes": 2, "sigma_data": 0.5, "output": "eps"})";
    expect_error((dir / "badfield.pt").string(), "'output'");
    std::ofstream(dir / "badfield.json", std::ios::trunc) << R"({"input_shape": [1, 4, 4], "sigma_data": 0.5, "output": "raw"})";
    expect_error((dir / "badfield.pt").string(), "num_classes");
    std::ofstream(dir / "badfield.json", std::ios::trunc) << "{ not json";
    expect_error((dir / "badfield.pt").string(), "not valid JSON");
    // Shapes no model has: a number too large for an integer, sides past 4096, too many values.
    std::ofstream(dir / "badfield.json", std::ios::trunc) << R"({"input_shape": [1e30, 4, 4], "num_classes": 2, "sigma_data": 0.5, "output": "raw"})";
    expect_error((dir / "badfield.pt").string(), "whole number");
    std::ofstream(dir / "badfield.json", std::ios::trunc) << R"({"input_shape": [1, 5000, 4], "num_classes": 2, "sigma_data": 0.5, "output": "raw"})";
    expect_error((dir / "badfield.pt").string(), "1..4096");
    std::ofstream(dir / "badfield.json", std::ios::trunc) << R"({"input_shape": [3, 4096, 4096], "num_classes": 2, "sigma_data": 0.5, "output": "raw"})";
    expect_error((dir / "badfield.pt").string(), "values per sample");
    expect_error((dir / "missing.pt").string(), "does not exist");
    fs::remove_all(dir);
}

// LibTorch does not check the CRC-32 of a ZIP entry; the loader does. Each byte of the fixture
// flipped in turn (its lowest bit) is either refused by a sentence naming the file, or harmless:
// the model then denoises exactly as the intact one. (As saved: freezing each of the thousands of
// copies would only cost time; the check is the same for both.)
void TestTorchScriptDenoiser::everyFlippedByteIsRefusedOrHarmless() {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("irl-ts-flip-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    fs::copy_file(kFixtures + "/gaussian-denoised.json", dir / "flipped.json", fs::copy_options::overwrite_existing);
    std::ifstream in(kFixtures + "/gaussian-denoised.pt", std::ios::binary);
    const std::string good((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string path = (dir / "flipped.pt").string();
    const torch::Tensor x = torch::randn({3, 1, 4, 4}), sigma = torch::tensor({0.5, 2.0, 10.0}), labels = torch::tensor({0, 1, -1});
    const torch::Tensor expected =
        TorchScriptDenoiser::load(kFixtures + "/gaussian-denoised.pt", TorchScriptMode::AsSaved)->denoise(x, sigma, labels);
    int refused = 0, harmless = 0;
    for (size_t i = 0; i < good.size(); ++i) {
        std::string bytes = good;
        bytes[i] = static_cast<char>(bytes[i] ^ 0x01);
        std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        try {
            const torch::Tensor got = TorchScriptDenoiser::load(path, TorchScriptMode::AsSaved)->denoise(x, sigma, labels);
            QVERIFY2(torch::equal(got, expected), qPrintable(QString("byte %1 flipped loads a different model").arg(i)));
            ++harmless;
        } catch (const std::runtime_error& e) {
            QVERIFY2(QString(e.what()).contains("flipped.pt"), e.what());
            ++refused;
        }
    }
    qInfo("%zu bytes: %d flips refused, %d harmless", good.size(), refused, harmless);
    QVERIFY(refused > static_cast<int>(good.size()) / 2);
    fs::remove_all(dir);
}

IRL_TEST_CLASS("test_torchscript_denoiser", TestTorchScriptDenoiser)
#include "test_torchscript_denoiser.moc"
