// Policy files: the policy's parameters with its action space, schedule, solver and the identity
// of the denoiser it was trained for. Loading against another setup is refused, saying what differs.
#pragma once

#include "irl/engine/learning/irl/policy.h"
#include "irl/engine/sampling/solver.h"

#include <memory>
#include <string>

namespace irl {

class Denoiser;
struct SamplerSettings;

// What a policy was trained with; a policy only makes sense with the same setup.
struct PolicySetup {
    std::string denoiser;             // Denoiser::identity()
    std::vector<int64_t> sample_shape;
    int64_t num_classes = 0;
    Solver solver = Solver::Heun;
    std::vector<double> sigmas;
    int64_t budget = kNoBudget;  // function evaluations per trajectory (SamplerSettings::budget)
    std::string to_json() const;
    static PolicySetup from_json(const std::string& text);
    static PolicySetup of(const Denoiser& denoiser, const SamplerSettings& settings);
    // Empty when `other` matches; otherwise one line per difference ("schedule: 10 levels, file has 18").
    std::string differences(const PolicySetup& other) const;
};

void save_policy(Policy& policy, const PolicySetup& setup, const std::string& path, const std::string& facts_json = "{}");

struct LoadedPolicy {
    std::shared_ptr<Policy> policy;
    PolicySetup setup;
    std::string facts;
};
// Throws std::runtime_error naming the file: missing, corrupt, another format, or (when
// `expected` is given) trained for another setup, with the differences.
LoadedPolicy load_policy(const std::string& path, const PolicySetup* expected = nullptr);

}  // namespace irl
