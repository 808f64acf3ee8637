// f-divergences D_f(rho_E || rho_pi) = E_pi[f(rho_E / rho_pi)] and the per-state rewards that
// minimise them by policy gradient, from the discriminator's log density ratio l = log(rho_E / rho_pi).
#pragma once

#include <torch/types.h>

#include <string>
#include <vector>

namespace irl {

// Its names: the table in f_divergence.cpp (a new value goes there too).
enum class Divergence { ForwardKl, ReverseKl, JensenShannon, PearsonChiSquared, PrecisionRecall };
const char* to_string(Divergence divergence);
Divergence divergence_from_string(const std::string& name);  // throws std::invalid_argument listing the names
std::vector<std::string> divergence_names();

struct DivergenceSpec {
    Divergence kind = Divergence::ReverseKl;
    double pr_lambda = 1.0;  // the precision-recall trade-off (Verine et al. 2023); other kinds ignore it
};
// "jensen-shannon,precision-recall:0.2,precision-recall:5" -> one spec each (a lambda after the
// colon); throws std::invalid_argument naming the part it cannot read.
std::vector<DivergenceSpec> parse_divergences(const std::string& text);
// How tables name a divergence: "jensen-shannon", "precision-recall:0.20".
std::string divergence_label(const DivergenceSpec& spec);

// The generator f(u) at u = exp(log_ratio), with f(1) = 0:
//   forward KL  u log u                         (KL(rho_E || rho_pi), mode covering)
//   reverse KL  -log u                          (KL(rho_pi || rho_E), mode seeking)
//   JS          (u log u - (1 + u) log((1 + u) / 2)) / 2
//   Pearson     (u - 1)^2
//   PR(lambda)  max(lambda u, 1) - max(lambda, 1)   (Verine et al., NeurIPS 2023)
torch::Tensor divergence_generator(const DivergenceSpec& spec, const torch::Tensor& log_ratio);

// The reward whose expectation under the policy's occupancy the policy must raise to lower the
// divergence: the negative functional derivative of E_pi[f(rho_E / rho_pi)] with respect to rho_pi,
// R = u f'(u) - f(u) (up to a constant, which the baselines remove):
//   forward KL  u;  reverse KL  log u - 1;  JS  log((1 + u) / 2) / 2;  Pearson  u^2 - 1;
//   PR(lambda)  max(lambda, 1) - [lambda u < 1].
// Computed from log u without overflow; forward KL and Pearson clamp log u at `max_log_ratio`.
torch::Tensor divergence_reward(const DivergenceSpec& spec, const torch::Tensor& log_ratio, double max_log_ratio = 10.0);

}  // namespace irl
