#include "irl/engine/sampling/learned_schedule_file.h"

#include "core/tensor_options.h"
#include "irl/engine/io/archive.h"
#include "irl/engine/models/denoiser.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

namespace irl {
namespace {

const FileKind kScheduleFile{"irlstudio-schedule", 1, "schedule file"};

// Empty when the levels are a schedule: strictly descending, positive, then one 0; one query level
// per nonzero level, positive and finite.
std::string schedule_problem(const std::vector<double>& sigmas, const std::vector<double>& query) {
    if (sigmas.size() < 2 || sigmas.back() != 0.0) return "its levels do not end at 0";
    for (size_t i = 0; i + 1 < sigmas.size(); ++i)
        if (!(sigmas[i] > sigmas[i + 1]) || !std::isfinite(sigmas[i])) return "its levels are not strictly descending positive numbers";
    if (query.size() + 1 != sigmas.size()) return "it has " + std::to_string(query.size()) + " query levels for " + std::to_string(sigmas.size() - 1) + " levels";
    for (double q : query)
        if (!(q > 0.0) || !std::isfinite(q)) return "its query levels are not all positive numbers";
    return {};
}

}  // namespace

bool LearnedSchedule::has_shifts() const {
    for (size_t i = 0; i < query_sigmas.size() && i < sigmas.size(); ++i)
        if (std::abs(query_sigmas[i] - sigmas[i]) > 1e-12 * sigmas[i]) return true;
    return false;
}

void save_learned_schedule(const LearnedSchedule& schedule, const std::string& path) {
    if (const std::string problem = schedule_problem(schedule.sigmas, schedule.query_sigmas); !problem.empty())
        throw std::invalid_argument("a learned schedule cannot be saved: " + problem);
    ArchiveWriter archive(kScheduleFile);
    archive.text("solver", to_string(schedule.solver));
    archive.integer("nfe", schedule.nfe);
    archive.tensor("sigmas", torch::tensor(schedule.sigmas, torch::kFloat64));
    archive.tensor("query_sigmas", torch::tensor(schedule.query_sigmas, torch::kFloat64));
    archive.text("model", schedule.model);
    archive.text("model_checksum", schedule.model_checksum);
    archive.text("facts", schedule.facts_json);
    archive.save(path);
}

LearnedSchedule load_learned_schedule(const std::string& path) {
    ArchiveReader archive(path, kScheduleFile);
    LearnedSchedule schedule;
    try {
        schedule.solver = solver_from_string(archive.text("solver"));
    } catch (const std::invalid_argument&) {
        archive.fail("names a solver this studio does not have ('" + archive.text("solver") + "')");
    }
    schedule.nfe = archive.integer("nfe");
    schedule.sigmas = to_double_list(archive.tensor("sigmas"));
    schedule.query_sigmas = to_double_list(archive.tensor("query_sigmas"));
    schedule.model = archive.text("model");
    schedule.model_checksum = archive.text("model_checksum");
    schedule.facts_json = archive.text("facts");
    if (const std::string problem = schedule_problem(schedule.sigmas, schedule.query_sigmas); !problem.empty()) archive.fail("is damaged: " + problem);
    if (schedule.nfe < 1) archive.fail("is damaged: its NFE is " + std::to_string(schedule.nfe));
    if (!nlohmann::json::accept(schedule.facts_json)) archive.fail("is damaged: its facts are not JSON");
    return schedule;
}

std::string learned_schedule_mismatch(const LearnedSchedule& schedule, const Denoiser& denoiser) {
    const std::string checksum = denoiser.weights_checksum();
    if (schedule.model == denoiser.identity() && schedule.model_checksum == checksum) return {};
    auto describe = [](const std::string& name, const std::string& sum) { return "'" + name + "'" + (sum.empty() ? "" : " (weights " + sum + ")"); };
    return "this schedule was fitted for the model " + describe(schedule.model, schedule.model_checksum) + ", not for " +
           describe(denoiser.identity(), checksum) + ": its levels may not suit this one";
}

}  // namespace irl
