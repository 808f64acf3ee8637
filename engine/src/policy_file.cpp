#include "irl/engine/policy_file.h"

#include "irl/engine/scatter_plot.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <filesystem>
#include <sstream>

namespace irl {
namespace {

constexpr const char* kFormat = "irlstudio-policy/1";

}  // namespace

std::string PolicySetup::to_json() const {
    return nlohmann::json{{"denoiser", denoiser}, {"sample_shape", sample_shape}, {"num_classes", num_classes},
                          {"solver", to_string(solver)}, {"sigmas", sigmas}}.dump();
}

PolicySetup PolicySetup::from_json(const std::string& text) {
    PolicySetup s;
    const auto j = nlohmann::json::parse(text);
    s.denoiser = j.at("denoiser").get<std::string>();
    s.sample_shape = j.at("sample_shape").get<std::vector<int64_t>>();
    s.num_classes = j.at("num_classes").get<int64_t>();
    s.solver = solver_from_string(j.at("solver").get<std::string>());
    s.sigmas = j.at("sigmas").get<std::vector<double>>();
    return s;
}

PolicySetup PolicySetup::of(const Denoiser& denoiser, const SamplerSettings& settings) {
    return {denoiser.identity(), denoiser.sample_shape(), denoiser.num_classes(), settings.solver, settings.sigmas};
}

std::string PolicySetup::differences(const PolicySetup& other) const {
    std::string out;
    auto line = [&](const std::string& text) { out += (out.empty() ? "" : "\n") + text; };
    if (denoiser != other.denoiser) line("denoiser: '" + other.denoiser + "' here, the policy was trained for '" + denoiser + "'");
    if (sample_shape != other.sample_shape || num_classes != other.num_classes) line("data shape or classes differ");
    if (solver != other.solver)
        line(std::string("solver: ") + to_string(other.solver) + " here, the policy was trained with " + to_string(solver));
    if (sigmas.size() != other.sigmas.size()) {
        line("schedule: " + std::to_string(other.sigmas.size() - 1) + " levels here, the policy has " + std::to_string(sigmas.size() - 1));
    } else {
        for (size_t i = 0; i < sigmas.size(); ++i)
            if (std::abs(sigmas[i] - other.sigmas[i]) > 1e-9 * std::max(1.0, sigmas[i])) {
                line("schedule: sigma " + std::to_string(i) + " is " + std::to_string(other.sigmas[i]) + " here, " +
                     std::to_string(sigmas[i]) + " in the policy");
                break;
            }
    }
    return out;
}

void save_policy(Policy& policy, const PolicySetup& setup, const std::string& path, const std::string& facts_json) {
    torch::serialize::OutputArchive archive, weights;
    archive.write("format", c10::IValue(std::string(kFormat)));
    archive.write("kind", c10::IValue(policy.kind()));
    archive.write("actions", c10::IValue(policy.action_space().to_json()));
    archive.write("setup", c10::IValue(setup.to_json()));
    archive.write("facts", c10::IValue(facts_json));
    archive.write("levels", torch::tensor(policy.levels()));
    if (auto* fixed = dynamic_cast<FixedPolicy*>(&policy)) archive.write("choice", torch::tensor(fixed->choice()));
    policy.save(weights);
    archive.write("weights", weights);
    std::ostringstream bytes;
    archive.save_to(bytes);
    write_file_atomically(path, bytes.str());
}

LoadedPolicy load_policy(const std::string& path, const PolicySetup* expected) {
    if (!std::filesystem::exists(path)) throw std::runtime_error("policy file '" + path + "' does not exist");
    torch::serialize::InputArchive archive;
    try {
        archive.load_from(path);
    } catch (const c10::Error&) {
        throw std::runtime_error("policy file '" + path + "' is corrupt or truncated");
    }
    auto text = [&](const char* key) {
        c10::IValue v;
        if (!archive.try_read(key, v) || !v.isString()) throw std::runtime_error("policy file '" + path + "' has no '" + key + "'");
        return v.toStringRef();
    };
    if (text("format") != kFormat) throw std::runtime_error("'" + path + "' is not a policy file (format " + kFormat + ")");
    LoadedPolicy loaded;
    try {
        loaded.setup = PolicySetup::from_json(text("setup"));
    } catch (const std::exception& e) {
        throw std::runtime_error("policy file '" + path + "': bad setup (" + e.what() + ")");
    }
    if (expected) {
        const std::string diff = loaded.setup.differences(*expected);
        if (!diff.empty()) throw std::runtime_error("policy file '" + path + "' was trained for another setup:\n" + diff);
    }
    loaded.facts = text("facts");
    const ActionSpace space = ActionSpace::from_json(text("actions"));
    torch::Tensor levels_tensor;
    archive.read("levels", levels_tensor);
    const int64_t levels = levels_tensor.item<int64_t>();
    const std::string kind = text("kind");
    if (kind == "fixed") {
        torch::Tensor choice;
        archive.read("choice", choice);
        loaded.policy = std::make_shared<FixedPolicy>(space, levels, std::vector<int64_t>(choice.data_ptr<int64_t>(), choice.data_ptr<int64_t>() + choice.numel()));
    } else if (kind == "table") {
        loaded.policy = std::make_shared<TablePolicy>(space, levels);
    } else if (kind == "network") {
        loaded.policy = std::make_shared<NetworkPolicy>(space, levels, loaded.setup.sample_shape, loaded.setup.num_classes);
    } else {
        throw std::runtime_error("policy file '" + path + "': unknown policy kind '" + kind + "'");
    }
    torch::serialize::InputArchive weights;
    archive.read("weights", weights);
    try {
        loaded.policy->load(weights);
    } catch (const c10::Error& e) {
        throw std::runtime_error("policy file '" + path + "': weights do not match (" + e.what_without_backtrace() + ")");
    }
    return loaded;
}

}  // namespace irl
