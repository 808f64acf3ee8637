#include "irl/engine/sampling/schedule.h"

#include "irl/engine/core/enum_names.h"

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace irl {
namespace {

constexpr EnumNames<ScheduleKind, 4> kScheduleNames = {{
    {ScheduleKind::Karras, "karras"}, {ScheduleKind::Exponential, "exponential"}, {ScheduleKind::Custom, "custom"},
    {ScheduleKind::Learned, "learned"},
}};
static_assert(in_enum_order(kScheduleNames), "kScheduleNames must follow enum ScheduleKind");
static_assert(static_cast<size_t>(ScheduleKind::Learned) + 1 == kScheduleNames.size(), "every schedule kind needs a name");

void check_range(int steps, double sigma_min, double sigma_max) {
    if (steps < 1 || steps > 10000)
        throw std::invalid_argument("schedule: steps must be in 1..10000, got " + std::to_string(steps));
    if (!(std::isfinite(sigma_min) && sigma_min > 0.0))
        throw std::invalid_argument("schedule: sigma_min must be a positive number, got " + std::to_string(sigma_min));
    if (!(std::isfinite(sigma_max) && sigma_max >= sigma_min))
        throw std::invalid_argument("schedule: sigma_max must be finite and >= sigma_min (" + std::to_string(sigma_min) +
                                    "), got " + std::to_string(sigma_max));
}

}  // namespace

std::vector<double> karras_schedule(int steps, double sigma_min, double sigma_max, double rho) {
    check_range(steps, sigma_min, sigma_max);
    if (!(std::isfinite(rho) && rho > 0.0))
        throw std::invalid_argument("schedule: rho must be a positive number, got " + std::to_string(rho));
    std::vector<double> sigmas;
    const double a = std::pow(sigma_max, 1.0 / rho), b = std::pow(sigma_min, 1.0 / rho);
    for (int i = 0; i < steps; ++i) {
        const double t = steps == 1 ? 0.0 : static_cast<double>(i) / (steps - 1);
        sigmas.push_back(std::pow(a + t * (b - a), rho));
    }
    sigmas.push_back(0.0);
    return sigmas;
}

std::vector<double> exponential_schedule(int steps, double sigma_min, double sigma_max) {
    check_range(steps, sigma_min, sigma_max);
    std::vector<double> sigmas;
    const double a = std::log(sigma_max), b = std::log(sigma_min);
    for (int i = 0; i < steps; ++i) {
        const double t = steps == 1 ? 0.0 : static_cast<double>(i) / (steps - 1);
        sigmas.push_back(std::exp(a + t * (b - a)));
    }
    sigmas.push_back(0.0);
    return sigmas;
}

std::vector<double> custom_schedule(std::vector<double> sigmas) {
    if (!sigmas.empty() && sigmas.back() == 0.0) sigmas.pop_back();
    if (sigmas.empty()) throw std::invalid_argument("schedule: a custom list needs at least one positive sigma");
    for (size_t i = 0; i < sigmas.size(); ++i) {
        if (!(std::isfinite(sigmas[i]) && sigmas[i] > 0.0)) {
            std::ostringstream msg;
            msg << "schedule: sigmas[" << i << "] must be a positive number, got " << sigmas[i];
            throw std::invalid_argument(msg.str());
        }
        if (i > 0 && !(sigmas[i] < sigmas[i - 1])) {
            std::ostringstream msg;
            msg << "schedule: sigmas must be strictly descending, but sigmas[" << i << "] = " << sigmas[i]
                << " follows " << sigmas[i - 1];
            throw std::invalid_argument(msg.str());
        }
    }
    sigmas.push_back(0.0);
    return sigmas;
}

std::vector<double> parse_sigma_list(const std::string& text) {
    std::vector<double> sigmas;
    std::string piece;
    auto take = [&] {
        if (piece.empty()) return;
        size_t used = 0;
        double value = 0.0;
        try {
            value = std::stod(piece, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used != piece.size()) throw std::invalid_argument("schedule: '" + piece.substr(0, 40) + "' in the sigma list is not a number");
        sigmas.push_back(value);
        piece.clear();
    };
    for (const char c : text) {
        if (c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '[' || c == ']' || c == '(' || c == ')') take();
        else piece += c;
    }
    take();
    return custom_schedule(std::move(sigmas));
}

const char* to_string(ScheduleKind kind) { return enum_name(kScheduleNames, kind); }
ScheduleKind schedule_kind_from_string(const std::string& name) { return enum_from_name(kScheduleNames, name, "schedule"); }
std::vector<std::string> schedule_kind_names() { return enum_names(kScheduleNames); }

}  // namespace irl
