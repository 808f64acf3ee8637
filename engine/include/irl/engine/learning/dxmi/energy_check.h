// Does a learned energy rank points as the data's density does? Issue #44's check of the energy on
// a 2-D toy: Spearman's correlation between -E(x) and the exact log density, on points drawn from
// the mixture, and on a grid over the data's bounding box widened by the spread of the component
// means (for ring8, one ring radius).
#pragma once

#include "irl/engine/learning/dxmi/energy_value.h"
#include "irl/engine/models/gaussian_mixture.h"

#include <cstdint>

namespace irl {

struct EnergyRanking {
    double on_data = 0.0;  // over `count` points of the mixture
    double on_grid = 0.0;  // over a 64 x 64 grid (2-D mixtures; NaN otherwise)
};

EnergyRanking energy_ranking(const EnergyNet& energy, const GaussianMixture& mixture, int64_t count = 4000, uint64_t seed = 4711);

}  // namespace irl
