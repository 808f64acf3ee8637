// `irlstudio-cli train-dxmi`: DxMI on a 2-D toy (issue #44): a few-step sampler and an energy
// trained jointly, on an MLP denoiser fitted to the toy first (its weights fine-tuned) or, with
// --exact, on the exact mixture denoiser (only the step noises trained). Scored before and after
// against fresh true samples. Resumable; Ctrl+C keeps a checkpoint. Fashion-MNIST is part 2.
#include "arguments.h"
#include "bench_setup.h"
#include "commands.h"
#include "progress_bar.h"

#include "irl/engine/core/random.h"
#include "irl/engine/data/toy_mixtures.h"
#include "irl/engine/learning/dxmi/dxmi_trainer.h"
#include "irl/engine/learning/dxmi/energy_check.h"
#include "irl/engine/learning/dxmi/toy_denoiser_fit.h"
#include "irl/engine/learning/irl/sampler_comparison.h"
#include "irl/engine/models/gaussian_mixture_denoiser.h"
#include "irl/engine/sampling/schedule.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

namespace irl::cli {

DxmiOptions dxmi_options(const Arguments& args) {
    const DxmiOptions d;
    DxmiOptions options;
    options.noise_fraction = args.number("noise-fraction", d.noise_fraction);
    options.batch = args.integer("batch", d.batch, 2, 1000000);
    options.denoiser_lr = args.number("denoiser-lr", d.denoiser_lr);
    options.noise_lr = args.number("noise-lr", d.noise_lr);
    options.energy_lr = args.number("energy-lr", d.energy_lr);
    options.value_lr = args.number("value-lr", d.value_lr);
    options.gamma = args.number("gamma", d.gamma);
    options.width = args.integer("width", d.width, 1, 4096);
    options.tau1 = args.number("tau1", d.tau1);
    options.tau2 = args.number("tau2", d.tau2);
    options.seed = static_cast<uint64_t>(args.integer("seed", 0, 0, 1LL << 40));
    options.run.iterations = args.integer("iterations", 500, 1, 100000000);
    options.learn_levels = args.flag("learn-levels");
    options.noised_negatives = args.flag("noised-negatives");
    options.level_lr = args.number("level-lr", d.level_lr);
    for (const auto& [flag, rate] : {std::pair<const char*, double>{"--denoiser-lr", options.denoiser_lr}, {"--noise-lr", options.noise_lr},
                                     {"--energy-lr", options.energy_lr}, {"--value-lr", options.value_lr}, {"--level-lr", options.level_lr}})
        if (!(rate >= 0.0)) throw UsageError(std::string(flag) + ": a learning rate is 0 or more");
    return options;
}

const char* dxmi_options_help() {
    return "  --iterations N      default 500;  --batch B  default 256;  --seed S  default 0\n"
           "  --noise-fraction F  s_t starts at F x Euler ancestral's noise (default 0.3)\n"
           "  --denoiser-lr R (1e-4), --noise-lr R (1e-3), --energy-lr R (1e-3), --value-lr R (1e-3)\n"
           "  --tau1 (0.1), --tau2 (0.01), --gamma G (1: the energy's square term), --width W (64: energy and value)\n"
           "  --learn-levels      also learn the levels between the first and the last (--level-lr, default 0.01)\n"
           "  --noised-negatives  the energy also learns against data noised at the sampler's levels, not only its samples\n";
}

int train_dxmi_command(const std::vector<std::string>& raw, const CancelToken& cancel) {
    const Arguments args(raw, {"toy", "steps", "sigma-max", "rho", "iterations", "batch", "seed", "count", "checkpoint", "threads",
                               "noise-fraction", "denoiser-lr", "noise-lr", "tau1", "tau2", "fit-steps", "out", "energy-out", "energy-lr", "value-lr", "gamma", "width", "level-lr"},
                         {"help", "json", "exact", "fresh", "learn-levels", "noised-negatives"});
    if (args.flag("help")) {
        std::cout << "usage: irlstudio-cli train-dxmi --toy NAME --out SAMPLER.dxmi [OPTIONS]\n\n"
                     "DxMI (Yoon et al. 2024): a T-step sampler with learnable step noise and an energy model trained\n"
                     "jointly, on a 2-D toy; prints MMD^2 and the exact mean log density against fresh true samples before\n"
                     "and after (the toys only so far; Fashion-MNIST is issue #49).\n\n"
                     "  --toy NAME          ring8, grid25, ... (required)\n"
                     "  --out FILE          the sampler file (required): its levels and step noises, and the fine-tuned denoiser\n"
                     "                      when there is one; `sample --dxmi FILE` samples with it\n"
                     "  --energy-out FILE   the energy file (default: --out with the extension .energy)\n"
                     "  --exact             sample with the exact mixture denoiser (only the step noises learn); default: an\n"
                     "                      MLP denoiser fitted to the toy first (--fit-steps, default 4000), its weights fine-tuned\n"
                     "  --steps T           sampler steps = NFE (default 4) on Karras levels --sigma-max (2) --rho (4)\n"
                  << dxmi_options_help() <<
                     "  --count N           samples scored before and after (default 4000)\n"
                     "  --checkpoint FILE   resumed when it exists (--fresh starts over); written every 50 iterations and on\n"
                     "                      Ctrl+C (without it, Ctrl+C still writes <--out>.ckpt, and the files so far)\n"
                     "  --json\n"
                  << threads_option_help();
        return kExitOk;
    }
    if (!args.has("toy")) throw UsageError("--toy NAME is required (DxMI runs on the 2-D toys so far)");
    const std::string out = args.text("out", "");
    if (out.empty()) throw UsageError("--out SAMPLER.dxmi is required");
    const std::string energy_out = args.text("energy-out", std::filesystem::path(out).replace_extension(".energy").string());
    if (energy_out == out) throw UsageError("--energy-out must name another file than --out");
    use_threads_option(args);
    const std::string name = args.text("toy", "ring8");
    GaussianMixtureDenoiser exact(make_toy_mixture(name), "toy:" + name);
    const uint64_t seed = static_cast<uint64_t>(args.integer("seed", 0, 0, 1LL << 40));
    const bool json = args.flag("json");
    std::unique_ptr<MlpDenoiser> mlp;
    double fit_seconds = 0.0;
    if (!args.flag("exact")) {
        MlpFitOptions fit_options;
        fit_options.steps = args.integer("fit-steps", 4000, 1, 10000000);
        fit_options.seed = seed;
        if (!json) std::cerr << "fitting an MLP denoiser to " << name << " (" << fit_options.steps << " steps)\n";
        MlpFit fit = fit_mlp_denoiser(exact.mixture(), name, fit_options, &cancel);
        fit_seconds = fit.seconds;
        mlp = std::move(fit.denoiser);
    }
    Denoiser& denoiser = mlp ? static_cast<Denoiser&>(*mlp) : static_cast<Denoiser&>(exact);

    DxmiOptions options = dxmi_options(args);
    const int steps = static_cast<int>(args.integer("steps", 4, 1, 1000));
    options.sigmas = karras_schedule(steps, ScheduleDefaults::sigma_min, args.number("sigma-max", 2.0), args.number("rho", 4.0));
    const std::string checkpoint_option = args.text("checkpoint", "");
    // Without --checkpoint, an interrupted run still keeps what it learned next to --out.
    options.run.checkpoint = checkpoint_option.empty() ? out + ".ckpt" : checkpoint_option;
    options.run.checkpoint_every = checkpoint_option.empty() ? 0 : 50;
    options.run.resume = !checkpoint_option.empty() && !args.flag("fresh");
    options.sampler_file = out;
    options.energy_file = energy_out;

    const int64_t count = args.integer("count", 4000, 100, 1000000);
    at::Generator g = make_generator(777);
    const torch::Tensor truth = exact.mixture().sample(count, g);
    const torch::Tensor data = exact.mixture().sample(50000, g);
    const torch::Tensor tiny = torch::full({count}, 0.002, torch::kFloat64);
    const double truth_log_density = exact.mixture().log_density(truth, tiny).mean().item<double>();
    DxmiTrainer trainer(denoiser, mlp.get(), data, options);
    auto score = [&] {
        const torch::Tensor samples = sample_few_step(denoiser, trainer.sampler(), count, 1000003, torch::kFloat64);
        return nlohmann::json{{"mmd2", toy_mmd_squared(samples, truth)},
                              {"log_density_gap", exact.mixture().log_density(samples, tiny).mean().item<double>() - truth_log_density}};
    };
    // A resumed run has no untrained sampler left to score.
    const nlohmann::json before = trainer.resumed() ? nlohmann::json() : score();
    ProgressBar bar("train-dxmi", !json);
    TrainingSteering control;
    control.cancel = &cancel;
    const int64_t done_at_start = trainer.iterations();
    const auto began = std::chrono::steady_clock::now();
    TrainingOutcome outcome;
    try {
        outcome = trainer.run(control, [&](const DxmiIteration& it) {
            char detail[128];
            std::snprintf(detail, sizeof detail, "E(data) %.3f  E(samples) %.3f  value loss %.3g", it.data_energy, it.sample_energy, it.value_loss);
            bar.update(it.iteration, options.run.iterations, std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count(),
                       detail, done_at_start);
        });
    } catch (const Cancelled&) {
        bar.finish();
        std::cerr << "interrupted after " << trainer.iterations() << " iterations: wrote the checkpoint " << options.run.checkpoint
                  << " (resume with --checkpoint " << options.run.checkpoint << "), and the sampler and energy so far to " << out
                  << " and " << energy_out << " (marked partial)\n";
        throw;
    }
    bar.finish();
    const nlohmann::json after = score();
    const EnergyRanking ranking = energy_ranking(trainer.energy(), exact.mixture());
    // From the sampler itself: a resumed run that had nothing left to do ran no iteration.
    const torch::Tensor noise = trainer.sampler()->step_noise().detach().contiguous();
    const std::vector<double> step_noise(noise.data_ptr<double>(), noise.data_ptr<double>() + noise.numel());
    nlohmann::json report = {{"toy", name}, {"denoiser", denoiser.identity()}, {"steps", steps}, {"sigmas", options.sigmas},
                             {"iterations", trainer.iterations()}, {"seconds", outcome.seconds}, {"fit_seconds", fit_seconds},
                             {"before", before}, {"after", after}, {"step_noise", step_noise}, {"learned_sigmas", trainer.sampler()->sigmas()},
                             {"training_evaluations", trainer.total_evaluations()}, {"sampler_file", out}, {"energy_file", energy_out},
                             {"energy_spearman", {{"mixture_points", ranking.on_data}, {"grid", ranking.on_grid}}}};
    if (json) std::cout << report.dump() << std::endl;
    else if (before.is_null())
        std::printf("resumed: MMD^2 %.5f, log-density gap %.3f after %lld iterations\n", after["mmd2"].get<double>(),
                    after["log_density_gap"].get<double>(), static_cast<long long>(trainer.iterations()));
    else
        std::printf("MMD^2 %.5f -> %.5f, log-density gap %.3f -> %.3f after %lld iterations (%.0f s)\n", before["mmd2"].get<double>(),
                    after["mmd2"].get<double>(), before["log_density_gap"].get<double>(), after["log_density_gap"].get<double>(),
                    static_cast<long long>(trainer.iterations()), outcome.seconds);
    if (!json) {
        std::printf("energy against the exact log density: Spearman %.3f on mixture points, %.3f on a grid\n", ranking.on_data, ranking.on_grid);
        std::printf("wrote %s and %s\n", out.c_str(), energy_out.c_str());
    }
    return kExitOk;
}

}  // namespace irl::cli
