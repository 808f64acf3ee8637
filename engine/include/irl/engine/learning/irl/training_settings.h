// The settings of a policy training as a user writes them, in a command's flags or a node's
// parameters: one table of names and ranges, and one reader, so that every front end spells,
// defaults and checks them the same way. Defaults are PolicyTrainingOptions' own (or the
// caller's, for a bench that trains shorter).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace irl {

struct PolicyTrainingOptions;  // irl/engine/learning/irl/policy_training.h

// A numeric setting: its name as a command spells it ("policy-lr"; a node parameter writes
// '_' for '-': "policy_lr") and the values it accepts, both ends included.
struct TrainingSettingRange {
    std::string name;
    double low = 0.0;
    double high = 0.0;
    bool whole = false;  // a whole number
};

// iterations, batch, policy-lr, entropy, entropy-final, nfe-cost, seed, discriminator-steps, pr-lambda,
// eval-every, eval-count, start-probability. (Not the network policy's width: a policy file does not store it, and
// loads every network policy at the default width.)
const std::vector<TrainingSettingRange>& policy_training_ranges();
// Throws std::invalid_argument for a name not in the table.
const TrainingSettingRange& policy_training_range(const std::string& name);

// Where the reader finds what the user wrote.
struct UserSettings {
    // The text the user gave for a setting (by its command name), or nothing when not given.
    std::function<std::optional<std::string>(const std::string& name)> text;
    // How the front end names a setting in a sentence: "--batch", "the parameter batch".
    std::function<std::string(const std::string& name)> called;
};

// Reads the numbers above, `policy` (policy_kind_names()) and `divergence` (divergence_names(),
// with pr-lambda) into `options`; a setting not given keeps the value `options` has. Throws
// std::invalid_argument naming the setting for text that is not a number, a number out of range
// or an unknown name, before anything is trained.
void read_policy_training_settings(const UserSettings& user, PolicyTrainingOptions& options);

}  // namespace irl
