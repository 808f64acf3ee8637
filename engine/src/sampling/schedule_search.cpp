#include "irl/engine/sampling/schedule_search.h"

#include "irl/engine/sampling/schedule.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace irl {
namespace {

std::vector<double> schedule_of(const std::vector<double>& grid, const std::vector<int>& indices) {
    std::vector<double> sigmas;
    for (int i : indices) sigmas.push_back(grid[static_cast<size_t>(i)]);
    sigmas.push_back(0.0);
    return sigmas;
}

}  // namespace

std::vector<int> grid_indices(const std::vector<double>& grid, const std::vector<double>& sigmas) {
    std::vector<int> indices;
    const int levels = static_cast<int>(grid.size()) - 1;
    for (double s : sigmas) {
        if (!(s > 0)) continue;
        int best = 0;
        for (int i = 1; i < levels; ++i)
            if (std::abs(std::log(grid[static_cast<size_t>(i)] / s)) < std::abs(std::log(grid[static_cast<size_t>(best)] / s))) best = i;
        indices.push_back(best);
    }
    // Strictly increasing (descending sigma): nudge collisions apart.
    for (size_t i = 1; i < indices.size(); ++i) indices[i] = std::max(indices[i], indices[i - 1] + 1);
    for (size_t i = indices.size(); i-- > 1;) indices[i - 1] = std::min(indices[i - 1], indices[i] - 1);
    return indices;
}

ScheduleSearchResult search_schedule(const ScheduleSearchOptions& options, const ScheduleScore& score) {
    const int levels = static_cast<int>(options.grid.size()) - 1;
    if (levels < 1 || options.grid.back() != 0.0) throw std::invalid_argument("schedule search: the grid must end at 0");
    if (options.steps < 1 || options.steps > levels)
        throw std::invalid_argument("schedule search: " + std::to_string(options.steps) + " steps do not fit a grid of " +
                                    std::to_string(levels) + " levels");
    const double sigma_max = options.grid.front(), sigma_min = options.grid[static_cast<size_t>(levels - 1)];
    std::vector<int> indices = grid_indices(options.grid, karras_schedule(options.steps, sigma_min, sigma_max, 7.0));
    ScheduleSearchResult result;
    auto evaluate = [&](const std::vector<int>& candidate) {
        const auto [metric, spent] = score(schedule_of(options.grid, candidate));
        result.evaluations += spent;
        ++result.trials;
        return std::isfinite(metric) ? metric : std::numeric_limits<double>::infinity();
    };
    double best = evaluate(indices);
    result.start = schedule_of(options.grid, indices);
    result.start_score = best;
    auto out_of_budget = [&] { return options.max_evaluations > 0 && result.evaluations >= options.max_evaluations; };
    for (int sweep = 0; sweep < options.max_sweeps && !out_of_budget(); ++sweep) {
        bool improved = false;
        for (size_t position = 0; position < indices.size() && !out_of_budget(); ++position) {
            const int low = position == 0 ? 0 : indices[position - 1] + 1;
            const int high = position + 1 == indices.size() ? levels - 1 : indices[position + 1] - 1;
            for (int move : options.moves) {
                for (int sign : {-1, 1}) {
                    if (out_of_budget()) break;
                    const int candidate_index = indices[position] + sign * move;
                    if (candidate_index < low || candidate_index > high) continue;
                    std::vector<int> candidate = indices;
                    candidate[position] = candidate_index;
                    const double value = evaluate(candidate);
                    if (value < best) {
                        best = value;
                        indices = candidate;
                        improved = true;
                    }
                }
            }
        }
        if (!improved) break;
    }
    result.sigmas = schedule_of(options.grid, indices);
    result.score = best;
    return result;
}

std::string schedule_json(const std::vector<double>& sigmas) { return nlohmann::json(sigmas).dump(); }

}  // namespace irl
