// The JSON sidecar of a TorchScript denoiser: its sample shape, classes, sigma_data and what it
// returns. No LibTorch here (the fuzz target of tests/fuzz builds it instrumented).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace irl {

struct TorchScriptSidecar {
    std::vector<int64_t> input_shape;  // [C, H, W] or [d]
    int64_t num_classes = 0;           // 0 = unconditional
    double sigma_data = 0.5;
    bool returns_denoised = true;      // false: returns the raw network output F (EDM preconditioning applied here)
};

// The largest side a sidecar may declare, and the most values in one sample: a shape beyond
// them is a damaged file, not a model this studio can sample.
inline constexpr int64_t kLargestSide = 4096;
inline constexpr int64_t kLargestSample = int64_t{1} << 24;

// Parses sidecar text; `path` names it in messages. Errors name the file and the field.
TorchScriptSidecar parse_torchscript_sidecar(std::string_view text, const std::string& path);
// Reads and parses a sidecar file.
TorchScriptSidecar read_torchscript_sidecar(const std::string& sidecar_path);

}  // namespace irl
