// The schedule fit's distance to its teacher in the features of a network of train-features
// instead of in pixels (ScheduleFitOptions::distance_features): the CLI's --feature-distance and
// the Schedule Learner node's "Match in features of" both come here.
#pragma once

#include <string>

namespace irl {

class Denoiser;
struct ScheduleFitOptions;

// Loads the network (a path, or a bundled one by its name under resources/, such as
// "models/fashion-features.pt") for the denoiser's sample shape, freezes its weights (the fit's gradients reach
// only the schedule, through the samples) and names the distance after the file. Throws
// std::invalid_argument when the denoiser's samples are not images, std::runtime_error of one
// sentence naming the file when it is missing, damaged or made for pictures of another shape.
void use_feature_distance(ScheduleFitOptions& options, const std::string& path, const Denoiser& denoiser);

// The feature network a fit on this denoiser uses when none is named: the bundled second Fashion
// judge ("models/fashion-features.pt") for 1x28x28 models, else none (empty: pixels). On Fashion
// at 5 NFE the fits in its features scored FD 9.21 over three seeds against 10.00 for one fit in
// pixels, and its screen picked the warm start FD prefers (docs/schedules.md).
std::string default_feature_network(const Denoiser& denoiser);

}  // namespace irl
