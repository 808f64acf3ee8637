#include "sampler_arguments.h"

#include "irl/engine/sampling/learned_schedule_file.h"
#include "irl/engine/sampling/schedule.h"

#include <cstdio>
#include <limits>

namespace irl::cli {

std::string name_list(const std::vector<std::string>& names) {
    std::string text;
    for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
    return text;
}

std::set<std::string> sampler_option_names() {
    return {"solver", "steps", "schedule", "sigma-min", "sigma-max", "rho", "sigmas", "schedule-file", "guidance",
            "s-churn", "s-tmin", "s-tmax", "s-noise", "stochasticity", "renoise", "renoise-cap", "budget"};
}

std::map<std::string, std::string> sampler_option_renames() { return {{"churn", "s-churn"}, {"lambda", "stochasticity"}}; }

std::string sampler_options_help() {
    const std::string solvers = name_list(solver_names()), schedules = name_list(schedule_kind_names());
    char defaults[320];
    std::snprintf(defaults, sizeof defaults,
                  "  --steps N          nonzero noise levels (default %d)\n"
                  "  --schedule NAME    %s (default karras)\n"
                  "  --sigma-min S      default %g\n"
                  "  --sigma-max S      default %g\n"
                  "  --rho R            Karras exponent (default %g)\n",
                  ScheduleDefaults::steps, schedules.c_str(), ScheduleDefaults::sigma_min, ScheduleDefaults::sigma_max, ScheduleDefaults::rho);
    return "  --solver NAME      " + solvers + " (default heun)\n" + defaults +
           "  --sigmas A,B,...   the custom schedule (descending; 0 is appended; a pasted list in brackets works too)\n"
           "  --schedule-file F  a learned schedule (learn-schedule --out F): its levels, where each step queries,\n"
           "                     and its solver unless --solver is given\n"
           "  --guidance W       classifier-free guidance scale (default 1)\n"
           "  --s-churn S        EDM's S_churn for euler/heun: per-step churn min(S/steps, sqrt 2 - 1) (default 0)\n"
           "  --s-tmin, --s-tmax, --s-noise   EDM churn range and noise scale\n"
           "  --stochasticity L  gDDIM stochasticity lambda (0 = DDIM, 1 = ancestral; default 0)\n"
           "  --renoise K        jump back K levels every step, within --renoise-cap levels\n"
           "  --renoise-cap C    default: the number of levels\n"
           "  --budget B         most function evaluations per sample: the last step goes to sigma 0 when it is spent\n";
}

SamplerSettings sampler_settings_from(const Arguments& args, int default_steps) {
    SamplerSettings settings;
    settings.solver = solver_from_string(args.text("solver", "heun"));
    const int steps = static_cast<int>(args.integer("steps", default_steps, 1, 10000));
    const double sigma_min = args.number("sigma-min", ScheduleDefaults::sigma_min);
    const double sigma_max = args.number("sigma-max", ScheduleDefaults::sigma_max);
    const char* implied = args.has("schedule-file") ? "learned" : args.has("sigmas") ? "custom" : "karras";
    switch (schedule_kind_from_string(args.text("schedule", implied))) {
    case ScheduleKind::Karras: settings.sigmas = karras_schedule(steps, sigma_min, sigma_max, args.number("rho", ScheduleDefaults::rho)); break;
    case ScheduleKind::Exponential: settings.sigmas = exponential_schedule(steps, sigma_min, sigma_max); break;
    case ScheduleKind::Custom:
        if (!args.has("sigmas")) throw UsageError("--schedule custom needs --sigmas");
        try {
            settings.sigmas = parse_sigma_list(args.text("sigmas", ""));
        } catch (const std::invalid_argument& e) {
            throw UsageError(std::string("--sigmas: ") + e.what());
        }
        break;
    case ScheduleKind::Learned: {
        if (!args.has("schedule-file")) throw UsageError("--schedule learned needs --schedule-file FILE");
        const LearnedSchedule learned = load_learned_schedule(args.text("schedule-file", ""));
        settings.sigmas = learned.sigmas;
        settings.query_sigmas = learned.query_sigmas;
        // The solver it was fitted for, unless another is asked for (then said).
        if (!args.has("solver")) settings.solver = learned.solver;
        else if (settings.solver != learned.solver)
            std::fprintf(stderr, "note: --schedule-file was fitted for %s; sampling it with %s\n", to_string(learned.solver),
                         to_string(settings.solver));
        break;
    }
    }
    settings.fixed.guidance = args.number("guidance", 1.0);
    settings.fixed.stochasticity = args.number("stochasticity", 0.0);
    if (settings.fixed.stochasticity < 0) throw UsageError("--stochasticity must be >= 0");
    settings.fixed.renoise = args.integer("renoise", 0, 0, 1000);
    settings.renoise_cap = args.integer("renoise-cap", -1, -1, 100000);
    settings.budget = args.integer("budget", kNoBudget, kNoBudget, 100000);
    settings.churn_rule.s_churn = args.number("s-churn", 0.0);
    if (settings.churn_rule.s_churn < 0) throw UsageError("--s-churn must be >= 0");
    settings.churn_rule.s_tmin = args.number("s-tmin", 0.0);
    settings.churn_rule.s_tmax = args.number("s-tmax", std::numeric_limits<double>::infinity());
    settings.churn_rule.s_noise = args.number("s-noise", 1.0);
    return settings;
}

}  // namespace irl::cli
