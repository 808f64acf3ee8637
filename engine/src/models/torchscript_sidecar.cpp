#include "irl/engine/models/torchscript_sidecar.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace irl {

TorchScriptSidecar read_torchscript_sidecar(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("TorchScript sidecar '" + path + "' is missing");
    std::ostringstream text;
    text << in.rdbuf();
    return parse_torchscript_sidecar(text.str(), path);
}

TorchScriptSidecar parse_torchscript_sidecar(std::string_view text, const std::string& path) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw std::runtime_error("TorchScript sidecar '" + path + "' is not valid JSON (byte " + std::to_string(e.byte) + ")");
    } catch (const nlohmann::json::exception&) {
        // A number too large for a double (1e3083): out_of_range, not a parse_error (found by fuzzing).
        throw std::runtime_error("TorchScript sidecar '" + path + "' is not valid JSON (a number out of range)");
    }
    TorchScriptSidecar s;
    auto field = [&](const char* name) -> const nlohmann::json& {
        if (!j.contains(name)) throw std::runtime_error("TorchScript sidecar '" + path + "': missing field '" + name + "'");
        return j.at(name);
    };
    try {
        // Integers only: a JSON number like 1e30 would not fit an int64_t.
        auto integer = [&](const nlohmann::json& v, const std::string& what) {
            if (!v.is_number_integer()) throw std::runtime_error("TorchScript sidecar '" + path + "': " + what + " must be a whole number");
            return v.get<int64_t>();
        };
        const nlohmann::json& shape = field("input_shape");
        if (!shape.is_array()) throw std::runtime_error("TorchScript sidecar '" + path + "': 'input_shape' must be a list like [1, 28, 28]");
        for (const nlohmann::json& d : shape) s.input_shape.push_back(integer(d, "each 'input_shape' entry"));
        s.num_classes = integer(field("num_classes"), "'num_classes'");
        s.sigma_data = field("sigma_data").get<double>();
        const std::string output = field("output").get<std::string>();
        if (output != "denoised" && output != "raw")
            throw std::runtime_error("TorchScript sidecar '" + path + "': 'output' must be \"denoised\" or \"raw\", got \"" + output + "\"");
        s.returns_denoised = output == "denoised";
    } catch (const nlohmann::json::type_error& e) {
        throw std::runtime_error("TorchScript sidecar '" + path + "': a field has the wrong type (" + e.what() + ")");
    }
    if (s.input_shape.empty() || s.input_shape.size() > 3)
        throw std::runtime_error("TorchScript sidecar '" + path + "': 'input_shape' must be [C, H, W] or [d]");
    int64_t values = 1;
    for (int64_t d : s.input_shape) {
        if (d < 1 || d > kLargestSide)
            throw std::runtime_error("TorchScript sidecar '" + path + "': 'input_shape' entries must be in 1.." + std::to_string(kLargestSide));
        values *= d;
    }
    if (values > kLargestSample)
        throw std::runtime_error("TorchScript sidecar '" + path + "': 'input_shape' has " + std::to_string(values) +
                                 " values per sample, more than the " + std::to_string(kLargestSample) + " this studio samples");
    if (s.num_classes < 0) throw std::runtime_error("TorchScript sidecar '" + path + "': 'num_classes' must be >= 0");
    if (!(s.sigma_data > 0)) throw std::runtime_error("TorchScript sidecar '" + path + "': 'sigma_data' must be > 0");
    return s;
}

}  // namespace irl
