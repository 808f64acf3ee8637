// `irlstudio-cli sample`: a classic sampler (or a fixed per-step control) on a 2-D toy mixture with
// its exact denoiser (or a DxMI sampler file: --dxmi), a scatter PNG over true samples, and exact
// quality numbers in JSON.
#include "arguments.h"
#include "commands.h"
#include "sampler_arguments.h"

#include "irl/engine/learning/dxmi/dxmi_files.h"
#include "irl/engine/models/gaussian_mixture_denoiser.h"
#include "irl/engine/core/random.h"
#include "irl/engine/sampling/sampler.h"
#include "irl/engine/io/pictures.h"
#include "irl/engine/data/toy_mixtures.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <chrono>
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
              << sampler_options_help() <<
                 "  --dxmi FILE        sample with a DxMI sampler file (train-dxmi --out): its own steps, step noises and\n"
                 "                     fine-tuned denoiser; the solver and schedule options do not apply\n"
                 "  --class C          sample class C of the toy (default: unconditional; --guidance needs it)\n"
                 "  --seed N           default 0\n"
                 "  --count N          samples (default 2000)\n"
                 "  --out FILE.png     scatter plot of the samples over true samples\n"
                 "  --json             print one JSON object with nfe, seconds, samples and metrics\n"
              << threads_option_help();
}

int sample_command(const std::vector<std::string>& raw, const CancelToken& cancel) {
    std::set<std::string> options = sampler_option_names();
    options.insert({"toy", "class", "seed", "count", "out", "threads", "dxmi"});
    const Arguments args(raw, options, {"json", "help"}, sampler_option_renames());
    if (args.flag("help")) {
        print_sample_help();
        return kExitOk;
    }
    if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional().front() + "'");
    use_threads_option(args);

    const std::string toy = args.text("toy", "ring8");
    GaussianMixtureDenoiser denoiser(make_toy_mixture(toy), "toy:" + toy);

    const SamplerSettings settings = sampler_settings_from(args);
    const int steps = static_cast<int>(settings.sigmas.size()) - 1;
    double sigma_min_used = settings.sigmas[settings.sigmas.size() - 2];

    SampleRequest request;
    request.count = args.integer("count", 2000, 1, 10000000);
    request.seed = static_cast<uint64_t>(args.integer("seed", 0, 0, std::numeric_limits<long long>::max()));
    request.dtype = torch::kFloat64;
    request.cancel = &cancel;
    const int64_t label = args.integer("class", -1, -1, denoiser.num_classes() - 1);
    if (label >= 0) request.labels = torch::full({request.count}, label, torch::kInt64);
    else if (settings.fixed.guidance != 1.0) throw UsageError("--guidance needs --class (guidance steers toward a class)");

    SampleResult result;
    std::string sampler_name = to_string(settings.solver);
    int steps_used = steps;
    if (args.has("dxmi")) {
        if (label >= 0) throw UsageError("--dxmi samples unconditionally: leave out --class");
        const DxmiSamplerFile file = load_dxmi_sampler(args.text("dxmi", ""));
        if (args.has("steps"))
            if (const std::string warning = dxmi_steps_mismatch(file, steps); !warning.empty()) std::cerr << "warning: " << warning << "\n";
        // Without fine-tuned weights the file's step noises were learned on a model it names: the toy's exact one.
        if (!file.denoiser) {
            if (const std::string warning = dxmi_model_mismatch(file, denoiser); !warning.empty()) std::cerr << "warning: " << warning << "\n";
        } else if (file.source_model.find(":" + toy + ":") == std::string::npos) {
            // A fine-tuned MLP is named after the toy it was fitted to ("mlp:<toy>:seed<S>").
            std::cerr << "warning: this DxMI sampler's denoiser was fitted from '" << file.source_model << "', not to " << toy
                      << ": it is scored against " << toy << "'s data\n";
        }
        Denoiser& used = file.denoiser ? static_cast<Denoiser&>(*file.denoiser) : static_cast<Denoiser&>(denoiser);
        const auto began = std::chrono::steady_clock::now();
        result.samples = sample_few_step(used, file.sampler, request.count, request.seed, torch::kFloat64);
        result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
        result.nfe = static_cast<double>(file.steps());
        result.denoiser_calls = file.steps();
        sampler_name = "dxmi";
        steps_used = static_cast<int>(file.steps());
        sigma_min_used = file.sampler->sigmas()[file.sampler->sigmas().size() - 2];
    } else {
        result = sample(denoiser, settings, request);
    }

    // Exact quality numbers: the log density of the samples under the clean data, and which
    // component each sample belongs to (posterior argmax at the smallest noise level).
    const GaussianMixture& mixture = denoiser.mixture();
    const torch::Tensor tiny = torch::full({request.count}, sigma_min_used, torch::kFloat64);
    const double mean_log_density =
        mixture.log_density(result.samples, tiny, label >= 0 ? request.labels : torch::Tensor()).mean().item<double>();

    const std::string out = args.text("out", "");
    if (!out.empty()) {
        at::Generator reference_generator = make_generator(request.seed + 1);
        const torch::Tensor reference = mixture.sample(std::min<int64_t>(request.count, 4000), reference_generator, label);
        ScatterPlotOptions plot;
        plot.title = toy + "  " + sampler_name + "  " + std::to_string(steps_used) + " steps  NFE " +
                     std::to_string(result.nfe).substr(0, 5);
        write_scatter_png(out, result.samples, reference, plot);
    }

    if (args.flag("json")) {
        nlohmann::json report = {{"toy", toy},
                                 {"solver", sampler_name},
                                 {"steps", steps_used},
                                 {"samples", request.count},
                                 {"nfe", result.nfe},
                                 {"denoiser_calls", result.denoiser_calls},
                                 {"seconds", result.seconds},
                                 {"mean_log_density", mean_log_density}};
        if (!out.empty()) report["output"] = out;
        std::cout << report.dump() << std::endl;
    } else {
        std::cout << std::fixed << std::setprecision(3) << request.count << " samples of " << toy << " with "
                  << sampler_name << ", NFE " << result.nfe << ", " << result.seconds
                  << " s, mean log density " << mean_log_density << (out.empty() ? "" : ", wrote " + out) << "\n";
    }
    return kExitOk;
}

}  // namespace irl::cli
