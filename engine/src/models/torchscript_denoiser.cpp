#include "irl/engine/models/torchscript_denoiser.h"
#include "irl/engine/models/unet_denoiser.h"

#include "irl/engine/core/diagnostics.h"
#include "irl/engine/core/random.h"
#include "irl/engine/io/atomic_file.h"
#include "irl/engine/io/archive_header.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

namespace irl {

struct TorchScriptDenoiser::Module {
    torch::jit::script::Module module;     // what denoise() calls: frozen, or as saved
    torch::jit::script::Module as_saved;   // what denoise_with_gradients() calls
};

TorchScriptDenoiser::TorchScriptDenoiser(std::unique_ptr<Module> module, TorchScriptSidecar sidecar, std::string path,
                                         TorchScriptMode mode)
    : module_(std::move(module)), sidecar_(std::move(sidecar)), path_(std::move(path)), mode_(mode) {
    identity_ = "torchscript:" + std::filesystem::path(path_).filename().string();
}

TorchScriptDenoiser::~TorchScriptDenoiser() = default;

std::string torchscript_sidecar_of(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code error;
    const std::string beside = fs::path(path).replace_extension(".json").string();
    if (fs::exists(beside, error)) return beside;
    if (fs::exists(path + ".json", error)) return path + ".json";
    return {};
}

std::unique_ptr<Denoiser> load_denoiser_file(const std::string& path) {
    if (!torchscript_sidecar_of(path).empty()) return TorchScriptDenoiser::load(path);
    return UnetDenoiser::load(path);
}

std::unique_ptr<TorchScriptDenoiser> TorchScriptDenoiser::load(const std::string& path, TorchScriptMode mode) {
    namespace fs = std::filesystem;
    if (!fs::exists(path)) throw std::runtime_error("TorchScript file '" + path + "' does not exist");
    std::string sidecar_path = torchscript_sidecar_of(path);
    if (sidecar_path.empty()) sidecar_path = fs::path(path).replace_extension(".json").string();  // named as missing
    TorchScriptSidecar sidecar = read_torchscript_sidecar(sidecar_path);
    auto module = std::make_unique<Module>();
    // LibTorch reads the ZIP without checking its entries: a flipped bit would load silently.
    const std::string bytes = read_file(path);
    if (const std::string problem = zip_structure_problem(bytes); !problem.empty())
        throw std::runtime_error("TorchScript file '" + path + "' " + problem);
    try {
        std::istringstream stream(bytes);
        module->module = torch::jit::load(stream);
    } catch (const c10::Error& e) {
        throw std::runtime_error("TorchScript file '" + path + "' cannot be loaded (corrupt, or not TorchScript)");
    }
    module->module.eval();
    // The weights are the model's, never learned here: gradients go to the inputs only.
    for (const torch::Tensor& parameter : module->module.parameters()) parameter.requires_grad_(false);
    module->as_saved = module->module;
    std::unique_ptr<TorchScriptDenoiser> denoiser(new TorchScriptDenoiser(std::move(module), sidecar, path, TorchScriptMode::AsSaved));
    char checksum[16];
    std::snprintf(checksum, sizeof checksum, "%08x", static_cast<unsigned>(crc32_of(bytes)));
    denoiser->weights_checksum_ = checksum;
    // Probe once so that a wrong shape is reported now, with the file's name, not mid-run. The
    // module as saved is probed: a frozen copy given a shape it was not written for may crash
    // (seen with LibTorch 1.13) where the module as saved raises an error.
    std::vector<int64_t> shape{2};
    shape.insert(shape.end(), sidecar.input_shape.begin(), sidecar.input_shape.end());
    const torch::Tensor labels = torch::full({2}, sidecar.num_classes > 0 ? int64_t(0) : int64_t(-1), torch::kInt64);
    try {
        const torch::Tensor out = denoiser->denoise(torch::zeros(shape), torch::ones({2}), labels);
        if (out.sizes() != at::IntArrayRef(shape))
            throw std::runtime_error("returned shape " + c10::str(out.sizes()) + ", expected " + c10::str(at::IntArrayRef(shape)));
    } catch (const std::exception& e) {
        std::string what = e.what();
        if (const auto* c10_error = dynamic_cast<const c10::Error*>(&e)) what = c10_error->what_without_backtrace();
        throw std::runtime_error("TorchScript file '" + path + "' does not follow its sidecar '" + sidecar_path +
                                 "': " + what.substr(0, 400));
    }
    if (mode == TorchScriptMode::Frozen) denoiser->freeze_for_inference();
    return denoiser;
}

void TorchScriptDenoiser::freeze_for_inference() {
    // A few samples at noise levels from small to large, labels mixed: the frozen copy must give
    // what the module as saved gives on them, or it is not used.
    at::Generator generator = make_generator(7);
    std::vector<int64_t> shape{4};
    shape.insert(shape.end(), sidecar_.input_shape.begin(), sidecar_.input_shape.end());
    const torch::Tensor sigma = torch::tensor({0.05f, 0.5f, 2.0f, 20.0f});
    const torch::Tensor clean = at::randn(shape, generator, torch::kFloat32) * 0.5;
    const torch::Tensor x = clean + per_sample(sigma, clean) * at::randn(shape, generator, torch::kFloat32);
    const int64_t last = std::max<int64_t>(0, sidecar_.num_classes - 1);
    const torch::Tensor labels = sidecar_.num_classes > 0 ? torch::tensor({int64_t(0), int64_t(-1), last, int64_t(-1)})
                                                          : torch::full({4}, int64_t(-1), torch::kInt64);
    auto why_not = [&](const std::string& reason) {
        warn("TorchScript file '" + path_ + "' runs as saved, not frozen for fast inference: " + reason);
    };
    auto first_line = [](const std::exception& e) {
        const auto* c10_error = dynamic_cast<const c10::Error*>(&e);
        const std::string what = c10_error ? c10_error->what_without_backtrace() : e.what();
        return what.substr(0, std::min<size_t>(what.find('\n'), 200));
    };
    torch::Tensor expected;
    try {
        expected = denoise(x, sigma, labels);
    } catch (const std::exception& e) {
        why_not("the module as saved fails on the probe that checks a frozen copy (" + first_line(e) + ")");
        return;
    }
    auto frozen = std::make_unique<Module>();
    try {
        torch::jit::Module copy = torch::jit::freeze(module_->module);
        frozen->module = torch::jit::optimize_for_inference(copy);
        frozen->as_saved = module_->as_saved;
    } catch (const std::exception& e) {
        why_not("freezing it failed (" + first_line(e) + ")");
        return;
    }
    std::swap(module_, frozen);
    mode_ = TorchScriptMode::Frozen;
    std::string problem;
    try {
        const torch::Tensor got = denoise(x, sigma, labels);
        const double difference = (got - expected).abs().max().item<double>();
        const double scale = std::max(1.0, expected.abs().max().item<double>());
        if (!(difference <= 1e-4 * scale)) problem = "its frozen copy differs from it by " + std::to_string(difference);
    } catch (const std::exception& e) {
        problem = "its frozen copy failed (" + first_line(e) + ")";
    }
    if (!problem.empty()) {
        std::swap(module_, frozen);
        mode_ = TorchScriptMode::AsSaved;
        why_not(problem);
    }
}

torch::Tensor TorchScriptDenoiser::call(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& labels,
                                       bool with_gradients) {
    std::optional<torch::InferenceMode> inference;
    if (!with_gradients) inference.emplace();
    torch::IValue out;
    try {
        out = (with_gradients ? module_->as_saved : module_->module).forward({x, sigma, labels});
    } catch (const c10::Error& e) {
        // The module's own error, without LibTorch's stack trace, and the file it came from.
        throw std::runtime_error("TorchScript file '" + path_ + "' failed: " + std::string(e.what_without_backtrace()).substr(0, 300));
    }
    if (!out.isTensor()) throw std::runtime_error("TorchScript file '" + path_ + "' returned something other than a tensor");
    const torch::Tensor result = out.toTensor();
    // The probe at load sees zeros only: a module can still return another shape later.
    if (result.sizes() != x.sizes())
        throw std::runtime_error("TorchScript file '" + path_ + "' returned shape " + c10::str(result.sizes()) + " for input " +
                                 c10::str(x.sizes()));
    return result;
}

torch::Tensor TorchScriptDenoiser::run(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& labels,
                                      bool with_gradients) {
    const torch::Tensor xf = x.to(torch::kFloat32);
    const torch::Tensor s = sigma.to(torch::kFloat32);
    if (sidecar_.returns_denoised) return call(xf, s, labels, with_gradients).to(x.scalar_type());
    const EdmScaling k = EdmScaling::at(s, sidecar_.sigma_data);
    const torch::Tensor f = call(per_sample(k.c_in, xf) * xf, k.c_noise, labels, with_gradients);
    return (per_sample(k.c_skip, xf) * xf + per_sample(k.c_out, xf) * f).to(x.scalar_type());
}

torch::Tensor TorchScriptDenoiser::denoise(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& labels) {
    return run(x, sigma, labels, false);
}

torch::Tensor TorchScriptDenoiser::denoise_with_gradients(const torch::Tensor& x, const torch::Tensor& sigma,
                                                          const torch::Tensor& labels) {
    return run(x, sigma, labels, true);
}

}  // namespace irl
