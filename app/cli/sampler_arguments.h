// The sampler options shared by sample, eval and bench: solver, schedule, guidance, EDM's S_churn,
// gDDIM stochasticity, renoise.
// One parser so that every command spells and checks them the same way.
#pragma once

#include "arguments.h"

#include "irl/engine/sampling/sampler.h"
#include "irl/engine/sampling/schedule.h"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace irl::cli {

// "a, b, c": a help text's list of the names an engine table accepts.
std::string name_list(const std::vector<std::string>& names);

std::set<std::string> sampler_option_names();
// Old option names and their new ones (--churn is --s-churn, --lambda is --stochasticity).
std::map<std::string, std::string> sampler_option_renames();
std::string sampler_options_help();
// Builds the settings; throws UsageError / std::invalid_argument naming the bad option.
SamplerSettings sampler_settings_from(const Arguments& args, int default_steps = ScheduleDefaults::steps);

}  // namespace irl::cli
