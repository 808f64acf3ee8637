#include "irl/engine/learning/dxmi/dxmi_files.h"

#include "core/tensor_options.h"
#include "irl/engine/io/archive.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <stdexcept>

namespace irl {
namespace {

const FileKind kSamplerFile{"irlstudio-dxmi-sampler", 1, "DxMI sampler file"};
const FileKind kEnergyFile{"irlstudio-energy", 1, "energy file"};

// Widths and dimensions a file may name: anything else is damage, refused before a network of that
// size is built.
bool plausible_size(int64_t n) { return n >= 1 && n <= 65536; }

}  // namespace

void save_dxmi_sampler(const std::string& path, const FewStepSampler& sampler, const std::string& source_model,
                       const std::string& source_checksum, const MlpDenoiser* fine_tuned, const std::string& facts_json) {
    // Learned levels are written as they are now, as a sampler with fixed levels: s_t = sigma_{t+1}
    // sigmoid(a_t) on those levels is the same.
    FewStepSampler fixed(sampler->sigmas(), 0.5, sampler->last_noise());
    {
        torch::NoGradGuard no_grad;
        fixed->noise_logits.copy_(sampler->noise_logits);
    }
    ArchiveWriter archive(kSamplerFile);
    archive.tensor("sigmas", torch::tensor(fixed->sigmas(), torch::kFloat64));
    archive.number("last_noise", fixed->last_noise());
    archive.module("sampler", *fixed);
    // s_t as numbers too, for whoever reads the file without building the sampler.
    archive.tensor("step_noise", sampler->step_noise().detach().clone());
    archive.text("source_model", source_model);
    archive.text("source_checksum", source_checksum);
    archive.text("facts", facts_json);
    archive.integer("fine_tuned", fine_tuned ? 1 : 0);
    if (fine_tuned) {
        archive.integer("dimension", fine_tuned->sample_shape().front());
        archive.integer("width", fine_tuned->width());
        archive.number("sigma_data", fine_tuned->sigma_data());
        archive.module("denoiser", *fine_tuned->network());
    }
    archive.save(path);
}

DxmiSamplerFile load_dxmi_sampler(const std::string& path) {
    ArchiveReader archive(path, kSamplerFile);
    DxmiSamplerFile file;
    const std::vector<double> sigmas = to_double_list(archive.tensor("sigmas"));
    const double last_noise = archive.number("last_noise");
    try {
        file.sampler = FewStepSampler(sigmas, 0.5, last_noise);
    } catch (const std::invalid_argument& e) {
        archive.fail(std::string("is damaged: ") + e.what());
    }
    archive.load_module("sampler", *file.sampler);
    if (!torch::isfinite(file.sampler->step_noise()).all().item<bool>()) archive.fail("is damaged: its step noises are not numbers");
    file.source_model = archive.text("source_model");
    file.source_checksum = archive.text("source_checksum");
    file.facts_json = archive.text("facts");
    if (!nlohmann::json::accept(file.facts_json)) archive.fail("is damaged: its facts are not JSON");
    if (archive.integer("fine_tuned") != 0) {
        const int64_t dimension = archive.integer("dimension"), width = archive.integer("width");
        const double sigma_data = archive.number("sigma_data");
        if (!plausible_size(dimension) || !plausible_size(width) || !(sigma_data > 0.0))
            archive.fail("is damaged: its denoiser's sizes are not sizes");
        file.denoiser = std::make_shared<MlpDenoiser>(dimension, sigma_data, file.source_model + " fine-tuned by DxMI (file " + archive.checksum() + ")", width);
        archive.load_module("denoiser", *file.denoiser->network());
    }
    return file;
}

std::string dxmi_steps_mismatch(const DxmiSamplerFile& file, int64_t steps) {
    if (steps == file.steps()) return {};
    return "this DxMI sampler was trained for " + std::to_string(file.steps()) + " steps, not " + std::to_string(steps) +
           ": it samples with its own " + std::to_string(file.steps()) + " levels and step noises";
}

std::string dxmi_model_mismatch(const DxmiSamplerFile& file, const Denoiser& denoiser) {
    if (file.source_model == denoiser.identity() && file.source_checksum == denoiser.weights_checksum()) return {};
    if (file.source_model == denoiser.identity())
        return "this DxMI sampler was trained on other weights of '" + file.source_model + "' (checksum " + file.source_checksum +
               ", not " + denoiser.weights_checksum() + "): its step noises may not suit these";
    return "this DxMI sampler was trained on the model '" + file.source_model + "', not on '" + denoiser.identity() +
           "': its step noises may not suit this one";
}

void save_energy(const std::string& path, const EnergyNet& energy, int64_t dimension, int64_t width, const std::string& facts_json) {
    ArchiveWriter archive(kEnergyFile);
    archive.text("network", "mlp");
    archive.integer("dimension", dimension);
    archive.integer("width", width);
    archive.module("energy", *energy);
    archive.text("facts", facts_json);
    archive.save(path);
}

EnergyFile load_energy(const std::string& path) {
    ArchiveReader archive(path, kEnergyFile);
    if (archive.text("network") != "mlp") archive.fail("holds an energy network this studio does not have ('" + archive.text("network") + "')");
    EnergyFile file;
    file.dimension = archive.integer("dimension");
    const int64_t width = archive.integer("width");
    if (!plausible_size(file.dimension) || !plausible_size(width)) archive.fail("is damaged: its network's sizes are not sizes");
    file.energy = EnergyNet(file.dimension, width, 0);
    archive.load_module("energy", *file.energy);
    file.facts_json = archive.text("facts");
    if (!nlohmann::json::accept(file.facts_json)) archive.fail("is damaged: its facts are not JSON");
    return file;
}

}  // namespace irl
