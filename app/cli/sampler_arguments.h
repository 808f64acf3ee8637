// The sampler options shared by sample, eval and bench: solver, schedule, guidance, churn, lambda, renoise.
// One parser so that every command spells and checks them the same way.
#pragma once

#include "arguments.h"

#include "irl/engine/sampler.h"

#include <set>
#include <string>

namespace irl::cli {

std::set<std::string> sampler_option_names();
std::string sampler_options_help();
// Builds the settings; throws UsageError / std::invalid_argument naming the bad option.
SamplerSettings sampler_settings_from(const Arguments& args, int default_steps = 18);

}  // namespace irl::cli
