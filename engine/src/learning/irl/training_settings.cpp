#include "irl/engine/learning/irl/training_settings.h"

#include "irl/engine/core/number_text.h"
#include "irl/engine/learning/irl/policy_training.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace irl {
namespace {

std::string range_text(const TrainingSettingRange& range) {
    std::ostringstream out;
    if (range.whole)
        out << "a whole number from " << static_cast<long long>(range.low) << " to " << static_cast<long long>(range.high);
    else
        out << "a number from " << range.low << " to " << range.high;
    return out.str();
}

// The value of a numeric setting, checked against its range; nothing when the user gave none.
std::optional<double> setting_number(const UserSettings& user, const std::string& name) {
    const std::optional<std::string> text = user.text(name);
    if (!text) return std::nullopt;
    const TrainingSettingRange& range = policy_training_range(name);
    const std::optional<double> parsed = number_from_text(*text);
    const double value = parsed.value_or(0.0);
    if (!parsed || !std::isfinite(value) || value < range.low || value > range.high || (range.whole && value != std::floor(value)))
        throw std::invalid_argument(user.called(name) + " must be " + range_text(range) + ", not \"" + *text + "\"");
    return value;
}

template <typename Field>
void read_number(const UserSettings& user, const std::string& name, Field& field) {
    if (const std::optional<double> value = setting_number(user, name)) field = static_cast<Field>(*value);
}

}  // namespace

const std::vector<TrainingSettingRange>& policy_training_ranges() {
    static const std::vector<TrainingSettingRange> ranges{
        {"iterations", 1, 1000000, true},   {"batch", 2, 100000, true},        {"policy-lr", 1e-6, 10, false},
        {"entropy", 0, 10, false},          {"entropy-final", -1, 10, false},  {"nfe-cost", 0, 10, false},        {"seed", 0, 2147483647, true},
        {"discriminator-steps", 1, 1000, true}, {"pr-lambda", 0.01, 100, false},
        {"eval-every", 0, 100000, true},    {"eval-count", 16, 100000, true},  {"start-probability", 0, 0.99, false}};
    return ranges;
}

const TrainingSettingRange& policy_training_range(const std::string& name) {
    for (const TrainingSettingRange& range : policy_training_ranges())
        if (range.name == name) return range;
    throw std::invalid_argument("no policy training setting is called \"" + name + "\"");
}

void read_policy_training_settings(const UserSettings& user, PolicyTrainingOptions& options) {
    if (const std::optional<std::string> policy = user.text("policy")) {
        const std::vector<std::string>& kinds = policy_kind_names();
        if (std::find(kinds.begin(), kinds.end(), *policy) == kinds.end())
            throw std::invalid_argument(user.called("policy") + " must be table, smooth, state or network, not \"" + *policy + "\"");
        options.policy = *policy;
    }
    if (const std::optional<std::string> divergence = user.text("divergence")) {
        try {
            options.irl.divergence.kind = divergence_from_string(*divergence);
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(user.called("divergence") + ": " + e.what());
        }
    }
    read_number(user, "pr-lambda", options.irl.divergence.pr_lambda);
    read_number(user, "iterations", options.iterations);
    read_number(user, "batch", options.irl.batch);
    read_number(user, "policy-lr", options.irl.policy_lr);
    read_number(user, "entropy", options.irl.entropy_bonus);
    read_number(user, "entropy-final", options.irl.entropy_final);
    read_number(user, "nfe-cost", options.irl.nfe_cost);
    read_number(user, "seed", options.irl.seed);
    read_number(user, "discriminator-steps", options.irl.discriminator_steps);
    read_number(user, "eval-every", options.evaluate_every);
    read_number(user, "eval-count", options.evaluation_count);
    read_number(user, "start-probability", options.start_probability);
}

}  // namespace irl
