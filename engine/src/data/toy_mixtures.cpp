#include "irl/engine/data/toy_mixtures.h"
#include "core/tensor_options.h"

#include <torch/torch.h>

#include <cmath>
#include <functional>
#include <stdexcept>
#include <utility>

namespace irl {
namespace {


GaussianMixture isotropic(const torch::Tensor& means, double stddev, torch::Tensor weights = {}) {
    const int64_t k = means.size(0);
    if (!weights.defined()) weights = torch::ones({k}, kF64);
    const torch::Tensor covariances = (stddev * stddev) * torch::eye(2, kF64).expand({k, 2, 2}).clone();
    return GaussianMixture(weights, means, covariances, torch::arange(k, torch::kInt64));
}

GaussianMixture ring8() {
    // Eight modes on a circle of radius 2: far apart relative to their width, so a sampler
    // that drops or smears modes is easy to see.
    torch::Tensor angle = torch::arange(8, kF64) * (2.0 * M_PI / 8.0);
    return isotropic(torch::stack({2.0 * angle.cos(), 2.0 * angle.sin()}, 1), 0.1);
}

GaussianMixture grid25() {
    torch::Tensor axis = torch::arange(-2, 3, kF64);
    auto grid = torch::meshgrid({axis, axis}, "ij");
    return isotropic(torch::stack({grid[0].flatten(), grid[1].flatten()}, 1), 0.08);
}

GaussianMixture imbalanced3() {
    // Three anisotropic classes with weights 0.6 / 0.3 / 0.1: guidance and bias correction
    // change the class histogram visibly.
    torch::Tensor means = torch::tensor({-1.5, 0.0, 1.5, 0.5, 0.0, -1.5}, kF64).reshape({3, 2});
    torch::Tensor covariances = torch::tensor({0.20, 0.08, 0.08, 0.10,
                                               0.05, 0.00, 0.00, 0.30,
                                               0.10, -0.06, -0.06, 0.10}, kF64).reshape({3, 2, 2});
    return GaussianMixture(torch::tensor({0.6, 0.3, 0.1}, kF64), means, covariances, torch::arange(3, torch::kInt64));
}

GaussianMixture gaussian() {
    // One correlated Gaussian: every marginal of every sampler is known in closed form.
    torch::Tensor covariances = torch::tensor({1.0, 0.6, 0.6, 0.5}, kF64).reshape({1, 2, 2});
    return GaussianMixture(torch::ones({1}, kF64), torch::tensor({0.5, -0.25}, kF64).reshape({1, 2}), covariances,
                           torch::zeros({1}, torch::kInt64));
}

const std::vector<std::pair<std::string, std::function<GaussianMixture()>>>& table() {
    static const std::vector<std::pair<std::string, std::function<GaussianMixture()>>> toys = {
        {"ring8", ring8}, {"grid25", grid25}, {"imbalanced3", imbalanced3}, {"gaussian", gaussian}};
    return toys;
}

}  // namespace

std::vector<std::string> toy_mixture_names() {
    std::vector<std::string> names;
    for (const auto& [name, make] : table()) names.push_back(name);
    return names;
}

GaussianMixture make_toy_mixture(const std::string& name) {
    for (const auto& [toy, make] : table())
        if (toy == name) return make();
    std::string known;
    for (const auto& toy : toy_mixture_names()) known += (known.empty() ? "" : ", ") + toy;
    throw std::invalid_argument("unknown toy mixture '" + name + "' (known: " + known + ")");
}

}  // namespace irl
