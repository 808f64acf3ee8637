#include "sampler_arguments.h"

#include "irl/engine/schedule.h"

#include <limits>

namespace irl::cli {

std::set<std::string> sampler_option_names() {
    return {"solver", "steps", "schedule", "sigma-min", "sigma-max", "rho", "sigmas", "guidance",
            "churn", "s-tmin", "s-tmax", "s-noise", "lambda", "renoise", "renoise-cap"};
}

std::string sampler_options_help() {
    std::string solvers;
    for (const auto& name : solver_names()) solvers += (solvers.empty() ? "" : ", ") + name;
    return "  --solver NAME      " + solvers + " (default heun)\n"
           "  --steps N          nonzero noise levels (default 18)\n"
           "  --schedule NAME    karras, exponential, custom (default karras)\n"
           "  --sigma-min S      default 0.002\n"
           "  --sigma-max S      default 80\n"
           "  --rho R            Karras exponent (default 7)\n"
           "  --sigmas A,B,...   the custom schedule (descending; 0 is appended)\n"
           "  --guidance W       classifier-free guidance scale (default 1)\n"
           "  --churn S          EDM S_churn for euler/heun (default 0)\n"
           "  --s-tmin, --s-tmax, --s-noise   EDM churn range and noise scale\n"
           "  --lambda L         gDDIM stochasticity (0 = DDIM, 1 = ancestral)\n"
           "  --renoise K        jump back K levels every step, within --renoise-cap levels\n"
           "  --renoise-cap C    default: the number of levels\n";
}

SamplerSettings sampler_settings_from(const Arguments& args, int default_steps) {
    SamplerSettings settings;
    settings.solver = solver_from_string(args.text("solver", "heun"));
    const int steps = static_cast<int>(args.integer("steps", default_steps, 1, 10000));
    const double sigma_min = args.number("sigma-min", 0.002), sigma_max = args.number("sigma-max", 80.0);
    switch (schedule_kind_from_string(args.text("schedule", args.has("sigmas") ? "custom" : "karras"))) {
    case ScheduleKind::Karras: settings.sigmas = karras_schedule(steps, sigma_min, sigma_max, args.number("rho", 7.0)); break;
    case ScheduleKind::Exponential: settings.sigmas = exponential_schedule(steps, sigma_min, sigma_max); break;
    case ScheduleKind::Custom:
        if (!args.has("sigmas")) throw UsageError("--schedule custom needs --sigmas");
        settings.sigmas = custom_schedule(args.numbers("sigmas"));
        break;
    }
    settings.fixed.guidance = args.number("guidance", 1.0);
    settings.fixed.lambda = args.number("lambda", 0.0);
    if (settings.fixed.lambda < 0) throw UsageError("--lambda must be >= 0");
    settings.fixed.renoise = args.integer("renoise", 0, 0, 1000);
    settings.renoise_cap = args.integer("renoise-cap", -1, -1, 100000);
    settings.churn.s_churn = args.number("churn", 0.0);
    if (settings.churn.s_churn < 0) throw UsageError("--churn must be >= 0");
    settings.churn.s_tmin = args.number("s-tmin", 0.0);
    settings.churn.s_tmax = args.number("s-tmax", std::numeric_limits<double>::infinity());
    settings.churn.s_noise = args.number("s-noise", 1.0);
    return settings;
}

}  // namespace irl::cli
