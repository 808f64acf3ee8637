#include "irl/engine/sampling/solver.h"

#include "irl/engine/core/enum_names.h"

namespace irl {
namespace {

constexpr EnumNames<Solver, 5> kSolverNames = {{
    {Solver::Euler, "euler"},
    {Solver::Heun, "heun"},
    {Solver::DpmSolver2M, "dpmpp-2m"},
    {Solver::EulerAncestral, "euler-ancestral"},
    {Solver::Gddim, "gddim"},
}};
static_assert(in_enum_order(kSolverNames), "kSolverNames must follow the order of enum Solver");
static_assert(static_cast<size_t>(Solver::Gddim) + 1 == kSolverNames.size(), "every solver needs a name");

}  // namespace

const char* to_string(Solver solver) { return enum_name(kSolverNames, solver); }
Solver solver_from_string(const std::string& name) { return enum_from_name(kSolverNames, name, "solver"); }
std::vector<std::string> solver_names() { return enum_names(kSolverNames); }

int64_t step_evaluations(Solver solver, bool to_zero, bool guided) {
    return (solver == Solver::Heun && !to_zero ? 2 : 1) * (guided ? 2 : 1);
}

}  // namespace irl
