#include "irl/engine/learning/dxmi/energy_check.h"

#include "irl/engine/core/random.h"
#include "irl/engine/metrics/rank_correlation.h"

#include <torch/torch.h>

#include <limits>

namespace irl {
namespace {

double ranking_on(const EnergyNet& energy, const GaussianMixture& mixture, const torch::Tensor& points) {
    torch::NoGradGuard no_grad;
    EnergyNet net = energy;  // the same module (a holder), callable
    const torch::Tensor log_density = mixture.log_density(points, torch::full({points.size(0)}, 0.002, torch::kFloat64));
    return spearman_correlation(-net(points.to(torch::kFloat32)).to(torch::kFloat64), log_density);
}

}  // namespace

EnergyRanking energy_ranking(const EnergyNet& energy, const GaussianMixture& mixture, int64_t count, uint64_t seed) {
    at::Generator g = make_generator(seed);
    const torch::Tensor points = mixture.sample(count, g).to(torch::kFloat64);
    EnergyRanking r;
    r.on_data = ranking_on(energy, mixture, points);
    r.on_grid = std::numeric_limits<double>::quiet_NaN();
    if (mixture.dimension() != 2) return r;
    const torch::Tensor means = mixture.means().to(torch::kFloat64);
    const double widen = (means - means.mean(0, true)).norm(2, 1).max().item<double>();
    const torch::Tensor low = std::get<0>(points.min(0)) - widen, high = std::get<0>(points.max(0)) + widen;
    const torch::Tensor xs = torch::linspace(low[0].item<double>(), high[0].item<double>(), 64, torch::kFloat64);
    const torch::Tensor ys = torch::linspace(low[1].item<double>(), high[1].item<double>(), 64, torch::kFloat64);
    const auto mesh = torch::meshgrid({xs, ys}, "ij");
    r.on_grid = ranking_on(energy, mixture, torch::stack({mesh[0].flatten(), mesh[1].flatten()}, 1));
    return r;
}

}  // namespace irl
