#include "irl/engine/sampling/action_space.h"

#include "irl/engine/core/enum_names.h"
#include "irl/engine/core/number_text.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <cstdlib>
#include <iterator>
#include <sstream>
#include <stdexcept>

namespace irl {
namespace {

constexpr EnumNames<ActionKind, 7> kActionKindNames = {{
    {ActionKind::Guidance, "guidance"}, {ActionKind::Churn, "churn"}, {ActionKind::Renoise, "renoise"},
    {ActionKind::Stochasticity, "stochasticity"}, {ActionKind::Skip, "skip"}, {ActionKind::Start, "start"},
    {ActionKind::Next, "next"},
}};
static_assert(in_enum_order(kActionKindNames), "kActionKindNames must follow enum ActionKind");
static_assert(std::size(kActionKinds) == kActionKindNames.size(), "every action kind needs a name");

}  // namespace

const char* to_string(ActionKind kind) { return enum_name(kActionKindNames, kind); }
ActionKind action_kind_from_string(const std::string& name) {
    return enum_from_name(kActionKindNames, name == "lambda" ? std::string("stochasticity") : name, "action");
}

void set_control(StepControl& control, ActionKind kind, double value) {
    switch (kind) {
    case ActionKind::Guidance: control.guidance = value; break;
    case ActionKind::Churn: control.churn = value; break;
    case ActionKind::Renoise: control.renoise = static_cast<int64_t>(value); break;
    case ActionKind::Stochasticity: control.stochasticity = value; break;
    case ActionKind::Skip: control.skip = static_cast<int64_t>(value); break;
    case ActionKind::Start: control.start = value; break;
    case ActionKind::Next: control.next = value; break;
    }
}

double control_value(const StepControl& control, ActionKind kind) {
    switch (kind) {
    case ActionKind::Guidance: return control.guidance;
    case ActionKind::Churn: return control.churn;
    case ActionKind::Renoise: return static_cast<double>(control.renoise);
    case ActionKind::Stochasticity: return control.stochasticity;
    case ActionKind::Skip: return static_cast<double>(control.skip);
    case ActionKind::Start: return control.start;
    case ActionKind::Next: return control.next;
    }
    return 0.0;
}

void ActionSpace::validate() const {
    if (components.empty()) throw std::invalid_argument("action space: no components");
    for (size_t i = 0; i < components.size(); ++i) {
        const ActionComponent& c = components[i];
        const std::string where = "action space: component " + std::to_string(i) + " (" + to_string(c.kind) + ")";
        if (c.choices.empty()) throw std::invalid_argument(where + " has no choices");
        for (double v : c.choices) {
            if (!std::isfinite(v) || v < 0) throw std::invalid_argument(where + ": choices must be finite and >= 0");
            if ((c.kind == ActionKind::Renoise || c.kind == ActionKind::Skip) && v != std::floor(v))
                throw std::invalid_argument(where + ": its choices are whole numbers of levels");
            if (c.kind == ActionKind::Skip && v < 1) throw std::invalid_argument(where + ": a skip moves down at least one level");
            if (c.kind == ActionKind::Start && !(v > 0)) throw std::invalid_argument(where + ": a start is a positive sigma");
            if (c.kind == ActionKind::Next && !(v > 0)) throw std::invalid_argument(where + ": a next level's factor is positive");
        }
        if (!(c.sigma_min <= c.sigma_max)) throw std::invalid_argument(where + ": sigma_min > sigma_max");
        for (size_t j = 0; j < i; ++j)
            if (components[j].kind == c.kind) throw std::invalid_argument(where + " appears twice");
    }
}

torch::Tensor ActionSpace::active(size_t component, const StepState& state) const {
    const ActionComponent& c = components.at(component);
    torch::Tensor on = (state.sigma >= c.sigma_min) & (state.sigma <= c.sigma_max);
    if (c.kind == ActionKind::Start) on = on & (state.iteration == 0);
    if (c.kind == ActionKind::Skip || c.kind == ActionKind::Next) {
        // On the last level every skip lands on sigma = 0, and a last step goes there anyway; a
        // step to sigma = 0 has no next level to nudge.
        on = on & (state.level < state.levels - 1);
        if (state.must_finish.defined()) on = on & state.must_finish.logical_not();
    }
    return on;
}

torch::Tensor ActionSpace::allowed(size_t component, const StepState& state, Solver solver) const {
    const ActionComponent& c = components.at(component);
    const int64_t m = state.sigma.size(0);
    const torch::Tensor values = torch::tensor(c.choices, torch::kFloat64).unsqueeze(0);
    torch::Tensor ok = torch::ones({m, static_cast<int64_t>(c.choices.size())}, torch::kBool);
    if (c.kind == ActionKind::Skip)
        ok = state.level.to(torch::kFloat64).unsqueeze(1) + values <= static_cast<double>(state.levels);
    if (c.kind == ActionKind::Guidance && state.remaining.defined()) {
        // A guided step costs twice; after a step that does not end the trajectory, one more
        // (unguided) evaluation must remain for the last step.
        const torch::Tensor last = state.must_finish.defined() ? state.must_finish : torch::zeros({m}, torch::kBool);
        const torch::Tensor guided_cost =
            torch::where(last, torch::full({m}, step_evaluations(solver, true, true)), torch::full({m}, step_evaluations(solver, false, true) + 1));
        const torch::Tensor affordable = (state.remaining < 0) | (state.remaining >= guided_cost);
        ok = (values == 1.0) | affordable.unsqueeze(1);
    }
    // A row with nothing allowed keeps every choice (the sampler still clamps what it cannot do).
    const torch::Tensor none = ok.any(1).logical_not().unsqueeze(1);
    return ok | none;
}

StepControls ActionSpace::controls(const std::vector<torch::Tensor>& choice, const StepState& state, StepControls fixed) const {
    for (size_t i = 0; i < components.size(); ++i) {
        const ActionComponent& c = components[i];
        const torch::Tensor values = torch::tensor(c.choices, torch::kFloat64).index_select(0, choice[i]);
        const torch::Tensor on = active(i, state);
        switch (c.kind) {
        case ActionKind::Guidance: fixed.guidance = torch::where(on, values, fixed.guidance); break;
        case ActionKind::Churn: fixed.churn = torch::where(on, values, fixed.churn); break;
        case ActionKind::Stochasticity: fixed.stochasticity = torch::where(on, values, fixed.stochasticity); break;
        case ActionKind::Renoise: fixed.renoise = torch::where(on, values.to(torch::kInt64), fixed.renoise); break;
        case ActionKind::Skip: fixed.skip = torch::where(on, values.to(torch::kInt64), fixed.skip); break;
        case ActionKind::Start: fixed.start = torch::where(on, values, fixed.start); break;
        case ActionKind::Next: fixed.next = torch::where(on, values, fixed.next); break;
        }
    }
    return fixed;
}

std::string ActionSpace::to_json() const {
    nlohmann::json list = nlohmann::json::array();
    for (const ActionComponent& c : components) {
        nlohmann::json item = {{"kind", to_string(c.kind)}, {"choices", c.choices}, {"sigma_min", c.sigma_min}};
        item["sigma_max"] = std::isinf(c.sigma_max) ? nlohmann::json(nullptr) : nlohmann::json(c.sigma_max);
        list.push_back(item);
    }
    return list.dump();
}

ActionSpace ActionSpace::from_json(const std::string& text) {
    ActionSpace space;
    try {
        for (const auto& item : nlohmann::json::parse(text)) {
            ActionComponent c;
            c.kind = action_kind_from_string(item.at("kind").get<std::string>());
            c.choices = item.at("choices").get<std::vector<double>>();
            c.sigma_min = item.value("sigma_min", 0.0);
            if (item.contains("sigma_max") && !item.at("sigma_max").is_null()) c.sigma_max = item.at("sigma_max").get<double>();
            space.components.push_back(c);
        }
    } catch (const nlohmann::json::exception& e) {
        throw std::runtime_error(std::string("action space: ") + e.what());
    } catch (const std::invalid_argument& e) {
        throw std::runtime_error(std::string("action space: ") + e.what());
    }
    space.validate();
    return space;
}

namespace {

double parse_number(const std::string& text, const std::string& what) {
    const std::optional<double> v = number_from_text(text);
    if (!v) throw std::invalid_argument("\"" + text + "\" is not a number (" + what + ")");
    return *v;
}

}  // namespace

ActionSpace parse_action_space(const std::string& text) {
    ActionSpace space;
    std::stringstream parts(text);
    std::string part;
    while (std::getline(parts, part, ';')) {
        const auto eq = part.find('=');
        if (eq == std::string::npos)
            throw std::invalid_argument("expected KIND=V1,V2,...[@SIGMA_MIN:SIGMA_MAX] separated by ';', got \"" + part + "\"");
        ActionComponent component;
        component.kind = action_kind_from_string(part.substr(0, eq));
        std::string list = part.substr(eq + 1);
        if (const auto at = list.find('@'); at != std::string::npos) {
            const std::string range = list.substr(at + 1);
            list = list.substr(0, at);
            const auto colon = range.find(':');
            if (colon == std::string::npos) throw std::invalid_argument("a noise-level range is written @SIGMA_MIN:SIGMA_MAX, got \"@" + range + "\"");
            if (colon > 0) component.sigma_min = parse_number(range.substr(0, colon), "sigma_min");
            if (colon + 1 < range.size()) component.sigma_max = parse_number(range.substr(colon + 1), "sigma_max");
        }
        std::stringstream values(list);
        std::string value;
        while (std::getline(values, value, ',')) component.choices.push_back(parse_number(value, "a choice"));
        space.components.push_back(component);
    }
    space.validate();
    return space;
}

}  // namespace irl
