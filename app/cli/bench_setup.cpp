#include "bench_setup.h"

#include "commands.h"

#include "irl/engine/core/resources.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace irl::cli {

double now_seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int steps_for(Solver solver, int nfe) { return solver == Solver::Heun ? (nfe + 1) / 2 : nfe; }

std::string fixed(double value, int digits) {
    char text[32];
    std::snprintf(text, sizeof text, "%.*f", digits, value);
    return text;
}

FashionSetup load_fashion_setup(const Arguments& args) {
    FashionSetup setup;
    setup.model_path = args.has("model") ? args.text("model", "") : find_resource("models/fashion-unet.pt");
    setup.denoiser = UnetDenoiser::load(setup.model_path);
    setup.classifier = load_classifier(args.has("classifier") ? args.text("classifier", "") : find_resource("models/fashion-classifier.pt"));
    return setup;
}

std::vector<std::vector<int64_t>> action_grid(const ActionSpace& space) {
    std::vector<std::vector<int64_t>> grid{{}};
    for (const ActionComponent& c : space.components) {
        std::vector<std::vector<int64_t>> next;
        for (const auto& prefix : grid)
            for (int64_t i = 0; i < static_cast<int64_t>(c.choices.size()); ++i) {
                next.push_back(prefix);
                next.back().push_back(i);
            }
        grid = next;
    }
    return grid;
}

std::string describe(const ActionSpace& space, const std::vector<int64_t>& choice) {
    std::string text;
    for (size_t i = 0; i < choice.size(); ++i)
        text += (text.empty() ? "" : " ") + std::string(to_string(space.components[i].kind)) + "=" +
                fixed(space.components[i].choices[static_cast<size_t>(choice[i])], 2);
    return text;
}

std::vector<DivergenceSpec> parse_divergences(const std::string& text) {
    std::vector<DivergenceSpec> specs;
    std::stringstream parts(text);
    std::string part;
    while (std::getline(parts, part, ',')) {
        const auto colon = part.find(':');
        DivergenceSpec spec{divergence_from_string(part.substr(0, colon)), 1.0};
        if (colon != std::string::npos) spec.pr_lambda = std::stod(part.substr(colon + 1));
        specs.push_back(spec);
    }
    return specs;
}

std::string divergence_label(const DivergenceSpec& spec) {
    return std::string(to_string(spec.kind)) + (spec.kind == Divergence::PrecisionRecall ? ":" + fixed(spec.pr_lambda, 2) : "");
}

IrlOptions irl_options(const Arguments& args, IrlOptions defaults) {
    defaults.batch = args.integer("batch", defaults.batch, 2, 100000);
    defaults.policy_lr = args.number("policy-lr", defaults.policy_lr);
    defaults.nfe_cost = args.number("nfe-cost", defaults.nfe_cost);
    defaults.discriminator_steps = args.integer("discriminator-steps", defaults.discriminator_steps, 1, 1000);
    defaults.seed = static_cast<uint64_t>(args.integer("seed", static_cast<int64_t>(defaults.seed), 0, 1 << 30));
    return defaults;
}

std::vector<uint64_t> training_seeds(const Arguments& args, uint64_t seed) {
    std::vector<uint64_t> seeds;
    for (double s : args.numbers("seeds")) {
        if (s < 0 || s != std::floor(s)) throw UsageError("--seeds: whole numbers >= 0, separated by commas");
        seeds.push_back(static_cast<uint64_t>(s));
    }
    if (seeds.empty()) seeds.push_back(seed);
    return seeds;
}

}  // namespace irl::cli
