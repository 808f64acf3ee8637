// A tuned-schedule baseline of the kind schedule tuners use (Align Your Steps, GITS, LD3 move the
// noise levels of a fixed solver at a fixed budget): coordinate descent over the levels of a fine
// grid, scored by a metric the caller gives, every function evaluation of the search counted.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace irl {

struct ScheduleSearchOptions {
    std::vector<double> grid;        // the fine grid, descending, ending at 0 (e.g. 64 Karras levels)
    int steps = 5;                   // nonzero levels of the tuned schedule
    int64_t max_evaluations = 0;     // stop once the scoring has spent this many (0: no limit)
    int max_sweeps = 4;              // passes over the levels without improvement end the search early
    std::vector<int> moves{8, 4, 2, 1};  // grid-index moves tried for each level, largest first
};

struct ScheduleSearchResult {
    std::vector<double> sigmas;  // the best schedule found (ending at 0)
    double score = 0.0;          // its metric (lower is better)
    int64_t evaluations = 0;     // function evaluations the search spent scoring schedules
    int trials = 0;              // schedules scored
    std::vector<double> start;   // the schedule it started from
    double start_score = 0.0;
};

// Scores a schedule: (metric, lower is better; function evaluations spent).
using ScheduleScore = std::function<std::pair<double, int64_t>(const std::vector<double>& sigmas)>;

// Starts from the grid levels nearest to a Karras schedule with rho = 7 over the grid's range,
// then moves one level at a time (the first may move too: that chooses sigma_max) while the
// metric improves, keeping the levels strictly descending. Deterministic for a deterministic score.
ScheduleSearchResult search_schedule(const ScheduleSearchOptions& options, const ScheduleScore& score);

// The grid indices of the levels of `sigmas` (each the nearest grid level in log sigma).
std::vector<int> grid_indices(const std::vector<double>& grid, const std::vector<double>& sigmas);

std::string schedule_json(const std::vector<double>& sigmas);

}  // namespace irl
