#include "irl/engine/learning/irl/policy_file.h"

#include "irl/engine/io/archive.h"
#include "irl/engine/models/denoiser.h"
#include "irl/engine/sampling/sampler.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

namespace irl {
namespace {

const FileKind kPolicyFile{"irlstudio-policy", 1, "policy file"};

}  // namespace

std::string PolicySetup::to_json() const {
    nlohmann::json j{{"denoiser", denoiser}, {"sample_shape", sample_shape}, {"num_classes", num_classes},
                     {"solver", to_string(solver)}, {"sigmas", sigmas}};
    // Only with a budget, so that setups written before budgets existed compare equal.
    if (budget > 0) j["budget"] = budget;
    return j.dump();
}

PolicySetup PolicySetup::from_json(const std::string& text) {
    PolicySetup s;
    const auto j = nlohmann::json::parse(text);
    s.denoiser = j.at("denoiser").get<std::string>();
    s.sample_shape = j.at("sample_shape").get<std::vector<int64_t>>();
    s.num_classes = j.at("num_classes").get<int64_t>();
    s.solver = solver_from_string(j.at("solver").get<std::string>());
    s.sigmas = j.at("sigmas").get<std::vector<double>>();
    s.budget = budget_or_none(j.value("budget", kNoBudget));
    return s;
}

PolicySetup PolicySetup::of(const Denoiser& denoiser, const SamplerSettings& settings) {
    return {denoiser.identity(), denoiser.sample_shape(), denoiser.num_classes(), settings.solver, settings.sigmas,
            budget_or_none(settings.budget)};
}

std::string PolicySetup::differences(const PolicySetup& other) const {
    std::string out;
    auto line = [&](const std::string& text) { out += (out.empty() ? "" : "\n") + text; };
    if (denoiser != other.denoiser) line("denoiser: '" + other.denoiser + "' here, the policy was trained for '" + denoiser + "'");
    if (sample_shape != other.sample_shape || num_classes != other.num_classes) line("data shape or classes differ");
    if (solver != other.solver)
        line(std::string("solver: ") + to_string(other.solver) + " here, the policy was trained with " + to_string(solver));
    if (budget != other.budget)
        line("budget: " + (other.budget <= 0 ? std::string("none") : std::to_string(other.budget) + " evaluations") + " here, the policy has " +
             (budget <= 0 ? std::string("none") : std::to_string(budget)));
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
    ArchiveWriter archive(kPolicyFile);
    archive.text("kind", policy.kind());
    archive.text("actions", policy.action_space().to_json());
    archive.text("setup", setup.to_json());
    archive.text("facts", facts_json);
    archive.integer("levels", policy.levels());
    archive.integer("budget", std::max<int64_t>(policy.budget(), 0));  // the file's "none" is 0, as since budgets came
    if (auto* fixed = dynamic_cast<FixedPolicy*>(&policy)) archive.tensor("choice", torch::tensor(fixed->choice()));
    archive.module("weights", policy);
    archive.save(path);
}

LoadedPolicy load_policy(const std::string& path, const PolicySetup* expected) {
    ArchiveReader archive(path, kPolicyFile);
    LoadedPolicy loaded;
    try {
        loaded.setup = PolicySetup::from_json(archive.text("setup"));
    } catch (const std::exception& e) {
        archive.fail(std::string("has a bad setup (") + e.what() + ")");
    }
    if (expected) {
        const std::string diff = loaded.setup.differences(*expected);
        if (!diff.empty()) archive.fail("was trained for another setup:\n" + diff);
    }
    loaded.facts = archive.text("facts");
    ActionSpace space;
    try {
        space = ActionSpace::from_json(archive.text("actions"));
    } catch (const std::exception& e) {
        archive.fail(std::string("has a bad action space (") + e.what() + ")");
    }
    const int64_t levels = archive.integer("levels");
    if (levels < 1 || levels > 100000) archive.fail("has a damaged level count");
    const int64_t stored_budget = archive.has("budget") ? archive.integer("budget") : 0;
    if (stored_budget < 0 || stored_budget > 100000) archive.fail("has a damaged budget");
    const int64_t budget = budget_or_none(stored_budget);
    const std::string kind = archive.text("kind");
    try {
        if (kind == "fixed") {
            const torch::Tensor choice = archive.tensor("choice").to(torch::kInt64).contiguous();
            loaded.policy = std::make_shared<FixedPolicy>(space, levels,
                                                          std::vector<int64_t>(choice.data_ptr<int64_t>(), choice.data_ptr<int64_t>() + choice.numel()), budget);
        } else if (kind == "table") {
            loaded.policy = std::make_shared<TablePolicy>(space, levels, budget);
        } else if (kind == "smooth") {
            loaded.policy = std::make_shared<SmoothPolicy>(space, levels, 0, budget);
        } else if (kind == "state") {
            loaded.policy = std::make_shared<SmoothPolicy>(space, levels, 0, budget, loaded.setup.sample_shape);
        } else if (kind == "network") {
            loaded.policy = std::make_shared<NetworkPolicy>(space, levels, loaded.setup.sample_shape, loaded.setup.num_classes, 64, 0, budget);
        } else {
            archive.fail("holds an unknown policy kind '" + kind + "'");
        }
    } catch (const std::invalid_argument& e) {
        archive.fail(std::string("does not describe a valid policy (") + e.what() + ")");
    }
    archive.load_module("weights", *loaded.policy);
    return loaded;
}

}  // namespace irl
