#include "bench_classic.h"

#include "bench_setup.h"

#include "irl/engine/learning/irl/irl_trainer.h"
#include "irl/engine/sampling/schedule.h"
#include "irl/engine/sampling/schedule_search.h"

#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <limits>

namespace irl::cli {
namespace {

SampleResult run(const Testbed& testbed, const SamplerSettings& settings, Policy* policy, double temperature, uint64_t seed) {
    SampleRequest request;
    request.count = testbed.count;
    request.labels = testbed.labels;
    request.seed = seed;
    request.dtype = testbed.dtype;
    request.cancel = testbed.cancel;
    return policy ? rollout_policy(*testbed.denoiser, *policy, settings, request, temperature, false).result
                  : sample(*testbed.denoiser, settings, request);
}

}  // namespace

nlohmann::json score_sampler(const Testbed& testbed, const SamplerSettings& settings, Policy* policy, double temperature) {
    std::map<std::string, std::vector<double>> values;
    int64_t evaluations = 0;
    double nfe = 0.0;
    for (uint64_t seed : testbed.seeds) {
        const SampleResult result = run(testbed, settings, policy, temperature, seed);
        evaluations += result.evaluations.sum().item<int64_t>();
        nfe += result.nfe / double(testbed.seeds.size());
        const nlohmann::json metrics = testbed.metrics(result.samples, testbed.labels);
        for (auto it = metrics.begin(); it != metrics.end(); ++it) values[it.key()].push_back(it.value().get<double>());
    }
    nlohmann::json row = {{"nfe", nfe}, {"evaluations", evaluations}, {"seeds", testbed.seeds.size()}};
    for (const auto& [key, list] : values) {
        double sum = 0.0, low = std::numeric_limits<double>::infinity(), high = -low;
        for (double v : list) sum += v, low = std::min(low, v), high = std::max(high, v);
        row[key] = sum / double(list.size());
        row[key + "_spread"] = high - low;
    }
    return row;
}

nlohmann::json classic_grid(const Testbed& testbed, int nfe, const std::vector<Solver>& solvers, double sigma_min) {
    nlohmann::json rows = nlohmann::json::array();
    for (Solver solver : solvers) {
        for (double sigma_max : {2.0, 5.0, 10.0, 20.0, 80.0}) {
            for (double rho : {1.0, 3.0, 5.0, 7.0}) {
                SamplerSettings settings;
                settings.solver = solver;
                const int steps = steps_for(solver, nfe);
                settings.sigmas = karras_schedule(steps, sigma_min, sigma_max, rho);
                nlohmann::json row = score_sampler(testbed, settings);
                row["solver"] = to_string(solver);
                row["sigma_max"] = sigma_max;
                row["rho"] = rho;
                row["steps"] = steps;
                rows.push_back(row);
            }
        }
    }
    return rows;
}

nlohmann::json best_row(const nlohmann::json& rows, const std::string& key, bool absolute) {
    nlohmann::json best;
    double best_value = std::numeric_limits<double>::infinity();
    for (const nlohmann::json& row : rows) {
        if (!row.contains(key)) continue;
        const double v = absolute ? std::abs(row[key].get<double>()) : row[key].get<double>();
        if (v < best_value) best_value = v, best = row;
    }
    return best;
}

nlohmann::json tuned_schedule(const Testbed& tuning, const Testbed& testbed, Solver solver, int nfe, int grid_levels,
                              int64_t max_evaluations, double sigma_min, double sigma_max) {
    ScheduleSearchOptions options;
    options.grid = karras_schedule(grid_levels, sigma_min, sigma_max, 7.0);
    options.steps = steps_for(solver, nfe);
    options.max_evaluations = max_evaluations;
    const ScheduleSearchResult found = search_schedule(options, [&](const std::vector<double>& sigmas) {
        SamplerSettings settings;
        settings.solver = solver;
        settings.sigmas = sigmas;
        const nlohmann::json row = score_sampler(tuning, settings);
        return std::pair<double, int64_t>(row[tuning.primary].get<double>(), row["evaluations"].get<int64_t>());
    });
    SamplerSettings settings;
    settings.solver = solver;
    settings.sigmas = found.sigmas;
    nlohmann::json row = score_sampler(testbed, settings);
    row["solver"] = to_string(solver);
    row["steps"] = options.steps;
    row["sigmas"] = found.sigmas;
    row["tuning_evaluations"] = found.evaluations;
    row["tuning_trials"] = found.trials;
    row["tuning_start_sigmas"] = found.start;
    row["tuning_score"] = found.score;
    row["tuning_start_score"] = found.start_score;
    return row;
}

void print_row(const std::string& name, const nlohmann::json& row, const std::vector<std::string>& keys) {
    std::string text;
    char part[96];
    for (const std::string& key : keys) {
        if (!row.contains(key)) continue;
        const std::string spread = row.contains(key + "_spread") ? " ±" + fixed(row[key + "_spread"].get<double>() / 2.0, 4) : "";
        std::snprintf(part, sizeof part, "  %s %.5g%s", key.c_str(), row[key].get<double>(), spread.c_str());
        text += part;
    }
    std::fprintf(stderr, "%-44s%s  NFE %.2f\n", name.c_str(), text.c_str(), row.value("nfe", 0.0));
}

}  // namespace irl::cli
