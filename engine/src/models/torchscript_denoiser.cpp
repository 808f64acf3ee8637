#include "irl/engine/models/torchscript_denoiser.h"

#include "irl/engine/io/atomic_file.h"
#include "irl/engine/io/archive_header.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace irl {

struct TorchScriptDenoiser::Module {
    torch::jit::script::Module module;
};

TorchScriptDenoiser::TorchScriptDenoiser(std::unique_ptr<Module> module, TorchScriptSidecar sidecar, std::string path)
    : module_(std::move(module)), sidecar_(std::move(sidecar)), path_(std::move(path)) {
    identity_ = "torchscript:" + std::filesystem::path(path_).filename().string();
}

TorchScriptDenoiser::~TorchScriptDenoiser() = default;

std::unique_ptr<TorchScriptDenoiser> TorchScriptDenoiser::load(const std::string& path) {
    namespace fs = std::filesystem;
    if (!fs::exists(path)) throw std::runtime_error("TorchScript file '" + path + "' does not exist");
    std::string sidecar_path = fs::path(path).replace_extension(".json").string();
    if (!fs::exists(sidecar_path) && fs::exists(path + ".json")) sidecar_path = path + ".json";
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
    std::unique_ptr<TorchScriptDenoiser> denoiser(new TorchScriptDenoiser(std::move(module), sidecar, path));
    // Probe once so that a wrong shape is reported now, with the file's name, not mid-run.
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
    return denoiser;
}

torch::Tensor TorchScriptDenoiser::call(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& labels) {
    torch::InferenceMode inference;
    torch::IValue out;
    try {
        out = module_->module.forward({x, sigma, labels});
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

torch::Tensor TorchScriptDenoiser::denoise(const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& labels) {
    const torch::Tensor xf = x.to(torch::kFloat32);
    const torch::Tensor s = sigma.to(torch::kFloat32);
    if (sidecar_.returns_denoised) return call(xf, s, labels).to(x.scalar_type());
    const EdmScaling k = EdmScaling::at(s, sidecar_.sigma_data);
    const torch::Tensor f = call(per_sample(k.c_in, xf) * xf, k.c_noise, labels);
    return (per_sample(k.c_skip, xf) * xf + per_sample(k.c_out, xf) * f).to(x.scalar_type());
}

}  // namespace irl
