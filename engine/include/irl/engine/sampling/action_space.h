// The discrete action space of the sampling MDP: components (guidance w, churn gamma, renoise k,
// gDDIM stochasticity, the skip to the next level, the starting level), each a set of choices,
// optionally active only inside a sigma range, with the choices a step's state rules out masked.
#pragma once

#include "irl/engine/sampling/solver.h"
#include "irl/engine/sampling/step_control.h"

#include <torch/types.h>

#include <limits>
#include <string>
#include <vector>

namespace irl {

// Skip: move down k levels of the schedule (a fine grid) instead of one, so that a policy chooses
// the noise schedule step by step. Start: the sigma to start from, chosen at the first step.
// Next: per sample, a level near the schedule's next one (its sigma times the choice), so that a
// policy can adjust a good schedule without a fine grid.
enum class ActionKind { Guidance, Churn, Renoise, Stochasticity, Skip, Start, Next };
inline constexpr ActionKind kActionKinds[] = {ActionKind::Guidance, ActionKind::Churn, ActionKind::Renoise, ActionKind::Stochasticity,
                                              ActionKind::Skip,     ActionKind::Start, ActionKind::Next};
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
    // [M] bool per component: where its choice has an effect in this state. Outside the sigma
    // range no component acts; the start only at the first step; the skip not on a last step.
    torch::Tensor active(size_t component, const StepState& state) const;
    // [M, choices] bool: the choices this state allows. A skip may not pass sigma = 0; with a
    // budget, guidance other than 1 only where the doubled cost and a last step can be paid for.
    // Every row allows at least one choice.
    torch::Tensor allowed(size_t component, const StepState& state, Solver solver) const;
    // The controls for chosen indices (one [M] int64 tensor per component), starting from `fixed`;
    // inactive components leave `fixed` as it is.
    StepControls controls(const std::vector<torch::Tensor>& choice, const StepState& state, StepControls fixed) const;
    std::string to_json() const;
    static ActionSpace from_json(const std::string& text);  // throws std::runtime_error naming the field
    bool operator==(const ActionSpace& other) const { return to_json() == other.to_json(); }
};

// "guidance=1,1.5,2;churn=0,0.1@0.5:10" -> an action space. "@LO:HI" after a component's choices
// makes the policy choose only at noise levels LO <= sigma <= HI (either end may be left out);
// outside, the sampler's fixed value applies. Throws std::invalid_argument naming the part.
ActionSpace parse_action_space(const std::string& text);

}  // namespace irl
