#include "irl/engine/learning/irl/f_divergence.h"

#include "irl/engine/core/number_text.h"

#include "irl/engine/core/enum_names.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace irl {
namespace {

constexpr EnumNames<Divergence, 5> kDivergenceNames = {{
    {Divergence::ForwardKl, "forward-kl"},
    {Divergence::ReverseKl, "reverse-kl"},
    {Divergence::JensenShannon, "jensen-shannon"},
    {Divergence::PearsonChiSquared, "pearson"},
    {Divergence::PrecisionRecall, "precision-recall"},
}};
static_assert(in_enum_order(kDivergenceNames), "kDivergenceNames must follow enum Divergence");
static_assert(static_cast<size_t>(Divergence::PrecisionRecall) + 1 == kDivergenceNames.size(), "every divergence needs a name");

void check_lambda(const DivergenceSpec& spec) {
    if (spec.kind == Divergence::PrecisionRecall && !(spec.pr_lambda > 0.0 && std::isfinite(spec.pr_lambda)))
        throw std::invalid_argument("precision-recall divergence: lambda must be a positive number");
}

}  // namespace

const char* to_string(Divergence divergence) { return enum_name(kDivergenceNames, divergence); }
Divergence divergence_from_string(const std::string& name) { return enum_from_name(kDivergenceNames, name, "divergence"); }
std::vector<std::string> divergence_names() { return enum_names(kDivergenceNames); }

std::vector<DivergenceSpec> parse_divergences(const std::string& text) {
    std::vector<DivergenceSpec> specs;
    size_t begin = 0;
    while (begin <= text.size()) {
        const size_t end = std::min(text.find(',', begin), text.size());
        const std::string part = text.substr(begin, end - begin);
        const size_t colon = part.find(':');
        DivergenceSpec spec{divergence_from_string(part.substr(0, colon)), 1.0};
        if (colon != std::string::npos) {
            const std::string lambda = part.substr(colon + 1);
            const std::optional<double> value = number_from_text(lambda);
            if (!value) throw std::invalid_argument("\"" + lambda + "\" after '" + part.substr(0, colon) + ":' is not a number");
            spec.pr_lambda = *value;
            check_lambda(spec);
        }
        specs.push_back(spec);
        begin = end + 1;
    }
    return specs;
}

std::string divergence_label(const DivergenceSpec& spec) {
    if (spec.kind != Divergence::PrecisionRecall) return to_string(spec.kind);
    char lambda[32];
    std::snprintf(lambda, sizeof lambda, ":%.2f", spec.pr_lambda);
    return std::string(to_string(spec.kind)) + lambda;
}

torch::Tensor divergence_generator(const DivergenceSpec& spec, const torch::Tensor& log_ratio) {
    check_lambda(spec);
    const torch::Tensor l = log_ratio.to(torch::kFloat64);
    const torch::Tensor u = l.exp();
    switch (spec.kind) {
    case Divergence::ForwardKl: return u * l;
    case Divergence::ReverseKl: return -l;
    case Divergence::JensenShannon: {
        // log((1 + u) / 2) = softplus(l) - log 2, stable for large |l|.
        const torch::Tensor log_mid = torch::nn::functional::softplus(l) - std::log(2.0);
        return 0.5 * (u * l - (1.0 + u) * log_mid);
    }
    case Divergence::PearsonChiSquared: return (u - 1.0).square();
    case Divergence::PrecisionRecall: return torch::clamp_min(spec.pr_lambda * u, 1.0) - std::max(spec.pr_lambda, 1.0);
    }
    throw std::logic_error("unreachable");
}

torch::Tensor divergence_reward(const DivergenceSpec& spec, const torch::Tensor& log_ratio, double max_log_ratio) {
    check_lambda(spec);
    const torch::Tensor l = log_ratio.to(torch::kFloat64);
    switch (spec.kind) {
    case Divergence::ForwardKl: return l.clamp_max(max_log_ratio).exp();
    case Divergence::ReverseKl: return l - 1.0;
    case Divergence::JensenShannon: return 0.5 * (torch::nn::functional::softplus(l) - std::log(2.0));
    case Divergence::PearsonChiSquared: return (2.0 * l.clamp_max(max_log_ratio)).exp() - 1.0;
    case Divergence::PrecisionRecall:
        return std::max(spec.pr_lambda, 1.0) - (l < -std::log(spec.pr_lambda)).to(torch::kFloat64);
    }
    throw std::logic_error("unreachable");
}

}  // namespace irl
