// Named 2-D Gaussian-mixture toys (ring of 8, grid of 25, ...), the classic test beds of samplers.
// Each component is its own class, so guidance and class histograms can be studied exactly.
#pragma once

#include "irl/engine/models/gaussian_mixture.h"

#include <string>
#include <vector>

namespace irl {

std::vector<std::string> toy_mixture_names();
// Throws std::invalid_argument naming the known toys when `name` is not one of them.
GaussianMixture make_toy_mixture(const std::string& name);

}  // namespace irl
