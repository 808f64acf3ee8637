// The two files a DxMI run leaves, in the checksummed archive format (issue #44).
// - The sampler file: the T-step sampler (its sigma_t and learned step noises s_t), the model it
//   came from (name and weights checksum) and, when that model's weights were fine-tuned, the
//   fine-tuned MLP denoiser itself. Without fine-tuned weights it samples with the model it came
//   from, unchanged.
// - The energy file: E_phi alone, a function of a point, for scoring points (issue #50).
// Every failure to read is one sentence naming the file.
#pragma once

#include "irl/engine/learning/dxmi/energy_value.h"
#include "irl/engine/learning/dxmi/few_step_sampler.h"
#include "irl/engine/models/mlp_denoiser.h"

#include <cstdint>
#include <memory>
#include <string>

namespace irl {

struct DxmiSamplerFile {
    FewStepSampler sampler{nullptr};
    std::shared_ptr<MlpDenoiser> denoiser;  // the fine-tuned weights; null when only s_t were trained
    std::string source_model;               // Denoiser::identity() of the model it came from
    std::string source_checksum;            // its Denoiser::weights_checksum() (empty for the exact toys)
    std::string facts_json = "{}";          // iterations, seconds, evaluations, partial, settings
    int64_t steps() const { return sampler->steps(); }
};

// Atomically. `fine_tuned`: the fine-tuned denoiser, or null when its weights were not trained.
void save_dxmi_sampler(const std::string& path, const FewStepSampler& sampler, const std::string& source_model,
                       const std::string& source_checksum, const MlpDenoiser* fine_tuned, const std::string& facts_json);
DxmiSamplerFile load_dxmi_sampler(const std::string& path);
// Empty when the file samples with `steps` steps; else one sentence for a warning (its s_t were
// learned for its own T and levels, which it keeps).
std::string dxmi_steps_mismatch(const DxmiSamplerFile& file, int64_t steps);
// Empty when `denoiser` is the model the file came from; else one sentence for a warning.
std::string dxmi_model_mismatch(const DxmiSamplerFile& file, const Denoiser& denoiser);

struct EnergyFile {
    EnergyNet energy{nullptr};
    int64_t dimension = 0;
    std::string facts_json = "{}";
};

// Atomically; `width` is the one EnergyNet was built with.
void save_energy(const std::string& path, const EnergyNet& energy, int64_t dimension, int64_t width, const std::string& facts_json);
EnergyFile load_energy(const std::string& path);

}  // namespace irl
