// `irlstudio-cli sample`: a classic sampler (or a fixed per-step control) on a 2-D toy mixture with
// its exact denoiser, a scatter PNG over true samples, and exact quality numbers in JSON.
#include "arguments.h"
#include "commands.h"

#include "irl/engine/gaussian_mixture_denoiser.h"
#include "irl/engine/random.h"
#include "irl/engine/sampler.h"
#include "irl/engine/scatter_plot.h"
#include "irl/engine/schedule.h"
#include "irl/engine/toy_mixtures.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <iomanip>
#include <iostream>

namespace irl::cli {
namespace {

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
    return out;
}

}  // namespace

void print_sample_help() {
    std::cout << "usage: irlstudio-cli sample [OPTIONS]\n\n"
                 "  --toy NAME         " << joined(toy_mixture_names()) << " (default ring8)\n"
                 "  --solver NAME      " << joined(solver_names()) << " (default heun)\n"
                 "  --steps N          nonzero noise levels (default 18)\n"
                 "  --schedule NAME    karras, exponential, custom (default karras)\n"
                 "  --sigma-min S      default 0.002\n"
                 "  --sigma-max S      default 80\n"
                 "  --rho R            Karras exponent (default 7)\n"
                 "  --sigmas A,B,...   the custom schedule (descending; 0 is appended)\n"
                 "  --guidance W       classifier-free guidance scale (default 1; needs --class)\n"
                 "  --class C          sample class C of the toy (default: unconditional)\n"
                 "  --churn S          EDM S_churn for euler/heun (default 0)\n"
                 "  --s-tmin, --s-tmax, --s-noise   EDM churn range and noise scale\n"
                 "  --lambda L         gDDIM stochasticity (0 = DDIM, 1 = ancestral)\n"
                 "  --renoise K        jump back K levels every step, within --renoise-cap levels\n"
                 "  --renoise-cap C    default: the number of levels\n"
                 "  --seed N           default 0\n"
                 "  --count N          samples (default 2000)\n"
                 "  --out FILE.png     scatter plot of the samples over true samples\n"
                 "  --json             print one JSON object with nfe, seconds, samples and metrics\n";
}

int sample_command(const std::vector<std::string>& raw, const CancelToken& cancel) {
    const Arguments args(raw,
                         {"toy", "solver", "steps", "schedule", "sigma-min", "sigma-max", "rho", "sigmas", "guidance",
                          "class", "churn", "s-tmin", "s-tmax", "s-noise", "lambda", "renoise", "renoise-cap", "seed",
                          "count", "out"},
                         {"json", "help"});
    if (args.flag("help")) {
        print_sample_help();
        return kExitOk;
    }
    if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional().front() + "'");

    const std::string toy = args.text("toy", "ring8");
    GaussianMixtureDenoiser denoiser(make_toy_mixture(toy), "toy:" + toy);

    SamplerSettings settings;
    settings.solver = solver_from_string(args.text("solver", "heun"));
    const int steps = static_cast<int>(args.integer("steps", 18, 1, 10000));
    const double sigma_min = args.number("sigma-min", 0.002), sigma_max = args.number("sigma-max", 80.0);
    switch (schedule_kind_from_string(args.text("schedule", args.has("sigmas") ? "custom" : "karras"))) {
    case ScheduleKind::Karras: settings.sigmas = karras_schedule(steps, sigma_min, sigma_max, args.number("rho", 7.0)); break;
    case ScheduleKind::Exponential: settings.sigmas = exponential_schedule(steps, sigma_min, sigma_max); break;
    case ScheduleKind::Custom:
        if (!args.has("sigmas")) throw UsageError("--schedule custom needs --sigmas");
        settings.sigmas = custom_schedule(args.numbers("sigmas"));
        break;
    }
    settings.fixed.guidance = args.number("guidance", 1.0);
    settings.fixed.lambda = args.number("lambda", 0.0);
    if (settings.fixed.lambda < 0) throw UsageError("--lambda must be >= 0");
    settings.fixed.renoise = args.integer("renoise", 0, 0, 1000);
    settings.renoise_cap = args.integer("renoise-cap", -1, -1, 100000);
    settings.churn.s_churn = args.number("churn", 0.0);
    if (settings.churn.s_churn < 0) throw UsageError("--churn must be >= 0");
    settings.churn.s_tmin = args.number("s-tmin", 0.0);
    settings.churn.s_tmax = args.number("s-tmax", std::numeric_limits<double>::infinity());
    settings.churn.s_noise = args.number("s-noise", 1.0);

    SampleRequest request;
    request.count = args.integer("count", 2000, 1, 10000000);
    request.seed = static_cast<uint64_t>(args.integer("seed", 0, 0, std::numeric_limits<long long>::max()));
    request.dtype = torch::kFloat64;
    request.cancel = &cancel;
    const int64_t label = args.integer("class", -1, -1, denoiser.num_classes() - 1);
    if (label >= 0) request.labels = torch::full({request.count}, label, torch::kInt64);
    else if (settings.fixed.guidance != 1.0) throw UsageError("--guidance needs --class (guidance steers toward a class)");

    const SampleResult result = sample(denoiser, settings, request);

    // Exact quality numbers: the log density of the samples under the clean data, and which
    // component each sample belongs to (posterior argmax at the smallest noise level).
    const GaussianMixture& mixture = denoiser.mixture();
    const torch::Tensor tiny = torch::full({request.count}, sigma_min, torch::kFloat64);
    const double mean_log_density =
        mixture.log_density(result.samples, tiny, label >= 0 ? request.labels : torch::Tensor()).mean().item<double>();

    const std::string out = args.text("out", "");
    if (!out.empty()) {
        at::Generator reference_generator = make_generator(request.seed + 1);
        const torch::Tensor reference = mixture.sample(std::min<int64_t>(request.count, 4000), reference_generator, label);
        ScatterPlotOptions plot;
        plot.title = toy + "  " + to_string(settings.solver) + "  " + std::to_string(steps) + " steps  NFE " +
                     std::to_string(result.nfe).substr(0, 5);
        write_scatter_png(out, result.samples, reference, plot);
    }

    if (args.flag("json")) {
        nlohmann::json report = {{"toy", toy},
                                 {"solver", to_string(settings.solver)},
                                 {"steps", steps},
                                 {"samples", request.count},
                                 {"nfe", result.nfe},
                                 {"denoiser_calls", result.denoiser_calls},
                                 {"seconds", result.seconds},
                                 {"mean_log_density", mean_log_density}};
        if (!out.empty()) report["output"] = out;
        std::cout << report.dump() << std::endl;
    } else {
        std::cout << std::fixed << std::setprecision(3) << request.count << " samples of " << toy << " with "
                  << to_string(settings.solver) << ", NFE " << result.nfe << ", " << result.seconds
                  << " s, mean log density " << mean_log_density << (out.empty() ? "" : ", wrote " + out) << "\n";
    }
    return kExitOk;
}

}  // namespace irl::cli
