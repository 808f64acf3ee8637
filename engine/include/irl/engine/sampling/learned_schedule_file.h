// A learned schedule as a file (the checksummed archive format): the solver and NFE it was fitted
// for, its levels and the level each step queries the denoiser at, the model it was fitted for
// (name and weights checksum), and the facts of the fit. Written by the schedule learner; read by
// the Schedule node and `export-schedule`.
#pragma once

#include "irl/engine/sampling/solver.h"

#include <cstdint>
#include <string>
#include <vector>

namespace irl {

class Denoiser;

struct LearnedSchedule {
    Solver solver = Solver::DpmSolver2M;
    int64_t nfe = 0;
    std::vector<double> sigmas;        // descending, ending at 0
    std::vector<double> query_sigmas;  // one per nonzero level: where that step calls the denoiser
    std::string model;                 // Denoiser::identity() of the model it was fitted for
    std::string model_checksum;        // its Denoiser::weights_checksum() (empty for the exact toys)
    std::string facts_json = "{}";     // the fit's report: teacher, losses, evaluations, seconds, partial
    // Whether any step queries the denoiser elsewhere than at its level (a plain sigma list cannot say so).
    bool has_shifts() const;
};

// Atomically; throws std::invalid_argument for an inconsistent schedule (naming what), and
// std::runtime_error naming the file when it cannot be written.
void save_learned_schedule(const LearnedSchedule& schedule, const std::string& path);
// Throws std::runtime_error of one sentence naming the file when it is missing, damaged, of
// another kind, or holds levels that are not a schedule.
LearnedSchedule load_learned_schedule(const std::string& path);
// Empty when `schedule` was fitted for `denoiser` (same name and weights checksum); else one
// sentence that says for which model it was fitted, for a warning.
std::string learned_schedule_mismatch(const LearnedSchedule& schedule, const Denoiser& denoiser);

}  // namespace irl
