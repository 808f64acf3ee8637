// The discrete action space of the sampling MDP: components (guidance w, churn gamma, renoise k,
// gDDIM stochasticity), each a set of choices, optionally active only inside a sigma range.
#pragma once

#include "irl/engine/sampling/step_control.h"

#include <torch/types.h>

#include <limits>
#include <string>
#include <vector>

namespace irl {

enum class ActionKind { Guidance, Churn, Renoise, Stochasticity };
inline constexpr ActionKind kActionKinds[] = {ActionKind::Guidance, ActionKind::Churn, ActionKind::Renoise, ActionKind::Stochasticity};
const char* to_string(ActionKind kind);
// Also reads "lambda", the name of the stochasticity in files written before it was renamed.
ActionKind action_kind_from_string(const std::string& name);
// The value of `kind` in a control: what a fixed (classic) sampler does at every step.
void set_control(StepControl& control, ActionKind kind, double value);
double control_value(const StepControl& control, ActionKind kind);

struct ActionComponent {
    ActionKind kind = ActionKind::Guidance;
    std::vector<double> choices;
    // Outside [sigma_min, sigma_max] the component is inactive: the sampler's fixed control applies.
    double sigma_min = 0.0;
    double sigma_max = std::numeric_limits<double>::infinity();
};

struct ActionSpace {
    std::vector<ActionComponent> components;

    int64_t size() const { return static_cast<int64_t>(components.size()); }
    // Throws std::invalid_argument naming the component: empty choices, negative values, ...
    void validate() const;
    // [M] bool per component: where it is active at these noise levels.
    torch::Tensor active(size_t component, const torch::Tensor& sigma) const;
    // The controls for chosen indices (one [M] int64 tensor per component), starting from `fixed`.
    StepControls controls(const std::vector<torch::Tensor>& choice, const torch::Tensor& sigma, StepControls fixed) const;
    std::string to_json() const;
    static ActionSpace from_json(const std::string& text);  // throws std::runtime_error naming the field
    bool operator==(const ActionSpace& other) const { return to_json() == other.to_json(); }
};

}  // namespace irl
