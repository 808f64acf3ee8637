#include "irl/engine/sampler.h"

#include <array>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace irl {
namespace {

constexpr std::array<std::pair<Solver, std::string_view>, 5> kSolverNames = {{
    {Solver::Euler, "euler"},
    {Solver::Heun, "heun"},
    {Solver::DpmSolver2M, "dpmpp-2m"},
    {Solver::EulerAncestral, "euler-ancestral"},
    {Solver::Gddim, "gddim"},
}};

// The table must list every solver in enum order, so that to_string is a plain lookup.
constexpr bool table_in_enum_order() {
    for (size_t i = 0; i < kSolverNames.size(); ++i)
        if (static_cast<size_t>(kSolverNames[i].first) != i) return false;
    return true;
}
static_assert(table_in_enum_order(), "kSolverNames must follow the order of enum Solver");
static_assert(static_cast<size_t>(Solver::Gddim) + 1 == kSolverNames.size(), "every solver needs a name");

}  // namespace

const char* to_string(Solver solver) {
    return kSolverNames[static_cast<size_t>(solver)].second.data();
}

Solver solver_from_string(const std::string& name) {
    for (const auto& [solver, text] : kSolverNames)
        if (name == text) return solver;
    std::string known;
    for (const auto& [solver, text] : kSolverNames) known += (known.empty() ? "" : ", ") + std::string(text);
    throw std::invalid_argument("unknown solver '" + name + "' (known: " + known + ")");
}

std::vector<std::string> solver_names() {
    std::vector<std::string> names;
    for (const auto& [solver, text] : kSolverNames) names.emplace_back(text);
    return names;
}

}  // namespace irl
