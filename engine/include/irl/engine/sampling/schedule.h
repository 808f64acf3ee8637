// Noise-level schedules: descending sigma lists that always end at 0.
// Invalid parameters throw std::invalid_argument with a message that names the parameter.
#pragma once

#include <array>
#include <string>
#include <vector>

namespace irl {

// EDM's defaults (Karras et al. 2022, Table 1) and the studio's default step count: the one place
// the Schedule node, the CLI and the benches take them from.
struct ScheduleDefaults {
    static constexpr double sigma_min = 0.002;
    static constexpr double sigma_max = 80.0;
    static constexpr double rho = 7.0;
    static constexpr int steps = 18;
};

// The classic grid a user could pick from: Karras schedules over these sigma_max and rho (EDM's
// defaults are 80 and 7), at the studio's sigma_min. The benches' baseline grid and the schedule
// fit's warm-start screen.
struct ClassicGrid {
    static constexpr std::array<double, 5> sigma_max{2.0, 5.0, 10.0, 20.0, 80.0};
    static constexpr std::array<double, 4> rho{1.0, 3.0, 5.0, 7.0};
};

// Karras et al. 2022, Eq. 5: sigma_i = (smax^(1/rho) + i/(n-1) (smin^(1/rho) - smax^(1/rho)))^rho,
// followed by 0. `steps` is the number of nonzero levels.
std::vector<double> karras_schedule(int steps, double sigma_min = ScheduleDefaults::sigma_min,
                                    double sigma_max = ScheduleDefaults::sigma_max, double rho = ScheduleDefaults::rho);
// Log-linear spacing between sigma_max and sigma_min, followed by 0.
std::vector<double> exponential_schedule(int steps, double sigma_min, double sigma_max);
// A user list: strictly descending positive values; a trailing 0 is appended when missing.
std::vector<double> custom_schedule(std::vector<double> sigmas);
// A pasted list, as custom_schedule takes it: numbers separated by commas, spaces or new lines,
// optionally in brackets (ComfyUI's ManualSigmas, a Python list, `export-schedule`'s output).
// Throws std::invalid_argument quoting the first piece that is not a number, or from custom_schedule.
std::vector<double> parse_sigma_list(const std::string& text);

// Its names: the table in schedule.cpp (a new value goes there too).
// Learned: the levels of a schedule file (learned_schedule_file.h).
enum class ScheduleKind { Karras, Exponential, Custom, Learned };
const char* to_string(ScheduleKind kind);
ScheduleKind schedule_kind_from_string(const std::string& name);  // throws std::invalid_argument listing the kinds
std::vector<std::string> schedule_kind_names();

}  // namespace irl
