// `irlstudio-cli learn-schedule`: fits the noise levels (and query shifts) of one solver at a
// fixed number of function evaluations to a many-step teacher, through the solver, on a 2-D toy
// (exact denoiser) or on the bundled Fashion-MNIST model. Resumable; Ctrl+C keeps a checkpoint.
// `irlstudio-cli export-schedule`: a schedule file's levels as text, for ComfyUI or a script.
#include "arguments.h"
#include "bench_setup.h"
#include "commands.h"
#include "progress_bar.h"

#include "irl/engine/data/toy_mixtures.h"
#include "irl/engine/learning/schedule_fit/feature_distance.h"
#include "irl/engine/learning/schedule_fit/schedule_fit.h"
#include "irl/engine/models/gaussian_mixture_denoiser.h"
#include "irl/engine/models/unet_denoiser.h"
#include "irl/engine/sampling/learned_schedule_file.h"
#include "irl/engine/sampling/schedule.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cstdio>
#include <iostream>
#include <memory>

namespace irl::cli {
namespace {

std::string sigma_text(const std::vector<double>& sigmas) {
    std::string text;
    char buffer[32];
    for (size_t i = 0; i < sigmas.size(); ++i) {
        std::snprintf(buffer, sizeof buffer, "%s%.5g", i ? ", " : "", sigmas[i]);
        text += buffer;
    }
    return text;
}

}  // namespace

void feature_distance_option(const Arguments& args, const Denoiser& denoiser, ScheduleFitOptions& options) {
    if (args.flag("pixel-distance")) {
        if (args.has("feature-distance")) throw UsageError("--pixel-distance and --feature-distance: choose one");
        return;
    }
    const std::string path = args.has("feature-distance") ? args.text("feature-distance", "") : default_feature_network(denoiser);
    if (path.empty()) return;
    try {
        use_feature_distance(options, path, denoiser);
    } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--feature-distance: ") + e.what());
    }
}

int learn_schedule_command(const std::vector<std::string>& raw, const CancelToken& cancel) {
    const Arguments args(raw, {"toy", "model", "solver", "nfe", "teacher-solver", "teacher-nfe", "pairs", "validation-pairs", "batch",
                               "iterations", "lr", "soft-teacher", "soft-teacher-steps", "warm-start", "validate-every", "seed",
                               "checkpoint", "checkpoint-every", "threads", "out", "feature-distance"},
                         {"help", "json", "no-shift", "fresh", "unconditional", "fixed-sigma-max", "pixel-distance"});
    if (args.flag("help")) {
        std::cout << "usage: irlstudio-cli learn-schedule --out SCHEDULE.irls [--toy NAME | --model FILE] [OPTIONS]\n\n"
                     "Fits the noise levels of one solver at a fixed NFE to a many-step teacher, through the solver\n"
                     "(LD3-style), writes them to a schedule file (for the Schedule node and export-schedule) and prints\n"
                     "the learned sigma list and where each step queries the denoiser.\n\n"
                     "  --toy NAME             a 2-D toy with its exact denoiser (default: the bundled Fashion-MNIST U-Net)\n"
                     "  --model FILE           a U-Net file, or TorchScript with its JSON sidecar, of any image shape (default:\n"
                     "                         the bundled model); no data is needed: the teacher is the many-step solver\n"
                     "  --solver NAME          euler, heun or dpmpp-2m (default dpmpp-2m)\n"
                     "  --nfe N                function evaluations of the learned sampler (default 5)\n"
                     "  --teacher-solver NAME  default heun;  --teacher-nfe N  default 35\n"
                     "  --pairs K              teacher pairs to fit on (default 200);  --validation-pairs V  held out (default 50)\n"
                     "  --batch B              pairs per iteration (default 32);  --iterations N  (default 200)\n"
                     "  --lr R                 Adam's learning rate on the raw parameters (default 0.02)\n"
                     "  --no-shift             no query shifts: a plain sigma list that any sampler can use as it is\n"
                     "  --soft-teacher R       the student's start noise may move within R * sigma_max * sqrt(d) (default 0: off)\n"
                     "  --soft-teacher-steps S gradient steps that find it (default 2)\n"
                     "  --warm-start LIST      start from this sigma list (default: the best of the classic sigma_max x rho grid\n"
                     "                         by the fit's loss on the validation pairs)\n"
                     "  --fixed-sigma-max      keep the warm start's sigma_max; only the levels below it (and the shifts) move\n"
                     "  --feature-distance F   match the teacher in the features of F, a network of train-features, not in pixels;\n"
                     "                         in the fit, the warm-start screen and the validation; never the network that scores\n"
                     "                         the result (default: models/fashion-features.pt for 1x28x28 models, else pixels)\n"
                     "  --pixel-distance       match the teacher in pixels\n"
                     "  --validate-every N     validation loss every N iterations (default 5); the best parameters are kept\n"
                     "  --checkpoint FILE      checkpoint every --checkpoint-every iterations (default 20) and at the end; an existing\n"
                     "                         one is resumed, --fresh starts over; Ctrl+C writes one (default OUT.ckpt) and the\n"
                     "                         best schedule so far, marked partial\n"
                     "  --seed S               start noises and batches (default 0);  --unconditional;  --json\n"
                  << threads_option_help();
        return kExitOk;
    }
    const std::string out = args.text("out", "");
    if (out.empty()) throw UsageError("--out SCHEDULE.irls is required");
    use_threads_option(args);
    ScheduleFitOptions options;
    options.schedule_file = out;
    options.solver = solver_from_string(args.text("solver", "dpmpp-2m"));
    options.nfe = args.integer("nfe", 5, 1, 1000);
    options.teacher_solver = solver_from_string(args.text("teacher-solver", "heun"));
    options.teacher_nfe = args.integer("teacher-nfe", 35, 1, 100000);
    options.pairs = args.integer("pairs", 200, 1, 1000000);
    options.validation_pairs = args.integer("validation-pairs", 50, 1, 1000000);
    options.batch = args.integer("batch", std::min<long long>(32, options.pairs), 1, options.pairs);
    options.learning_rate = args.number("lr", 0.02);
    if (!(options.learning_rate > 0.0)) throw UsageError("--lr: a positive number");
    options.shifts = !args.flag("no-shift");
    options.learn_sigma_max = !args.flag("fixed-sigma-max");
    options.soft_teacher = args.number("soft-teacher", 0.0);
    if (!(options.soft_teacher >= 0.0 && options.soft_teacher <= 1.0)) throw UsageError("--soft-teacher: a radius from 0 to 1");
    options.soft_teacher_steps = args.integer("soft-teacher-steps", 2, 1, 100);
    if (args.has("warm-start")) {
        try {
            options.warm_start = parse_sigma_list(args.text("warm-start", ""));
        } catch (const std::invalid_argument& e) {
            throw UsageError(std::string("--warm-start: ") + e.what());
        }
    }
    options.seed = static_cast<uint64_t>(args.integer("seed", 0, 0, 1LL << 40));
    options.conditional = !args.flag("unconditional");
    // Said now, naming the option, not after the teacher has sampled.
    try {
        schedule_fit_levels(options.solver, options.nfe);
    } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--solver/--nfe: ") + e.what());
    }
    try {
        schedule_fit_levels(options.teacher_solver, options.teacher_nfe);
    } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--teacher-solver/--teacher-nfe: ") + e.what());
    }
    options.run.iterations = args.integer("iterations", 200, 1, 10000000);
    options.run.evaluate_every = args.integer("validate-every", 5, 1, 10000000);
    const std::string checkpoint_option = args.text("checkpoint", "");
    // Without --checkpoint, an interrupted fit still keeps what it learned next to --out.
    options.run.checkpoint = checkpoint_option.empty() ? out + ".ckpt" : checkpoint_option;
    options.run.checkpoint_every = checkpoint_option.empty() ? 0 : args.integer("checkpoint-every", 20, 1, 10000000);
    options.run.resume = !checkpoint_option.empty() && !args.flag("fresh");

    std::unique_ptr<Denoiser> denoiser;
    std::string model_name;
    if (args.has("toy")) {
        model_name = args.text("toy", "ring8");
        denoiser = std::make_unique<GaussianMixtureDenoiser>(make_toy_mixture(model_name), "toy:" + model_name);
        options.dtype = torch::kFloat64;
    } else {
        denoiser = model_option(args, &model_name);
    }
    feature_distance_option(args, *denoiser, options);
    const bool json = args.flag("json");
    if (!json)
        std::cerr << "teacher: " << to_string(options.teacher_solver) << " at " << options.teacher_nfe << " NFE on "
                  << options.pairs + options.validation_pairs << " start noises; distance to it: " << options.distance << "\n";
    ScheduleFit fit(*denoiser, options, &cancel);
    if (fit.resumed() && !json) std::cerr << "resuming " << options.run.checkpoint << " at iteration " << fit.iterations() << "\n";
    ProgressBar bar("learn-schedule", !json);
    ScheduleFitControl control;
    control.cancel = &cancel;
    const int64_t done_at_start = fit.iterations();
    control.on_iteration = [&](const ScheduleFitProgress& p) {
        char detail[96];
        std::snprintf(detail, sizeof detail, "loss %.4g  validation %.4g (best %.4g)", p.loss, p.validation, p.best_validation);
        bar.update(p.iteration, p.iterations, p.seconds, detail, done_at_start);
    };
    ScheduleFitResult result;
    try {
        result = fit.run(control);
    } catch (const Cancelled&) {
        bar.finish();
        std::cerr << "interrupted after " << fit.iterations() << " iterations: wrote the checkpoint " << options.run.checkpoint
                  << " (resume with --checkpoint " << options.run.checkpoint << ") and the best schedule so far to " << out
                  << " (marked partial)\n";
        throw;
    }
    bar.finish();
    nlohmann::json report = nlohmann::json::parse(result.to_json());
    report["solver"] = to_string(options.solver);
    report["nfe"] = options.nfe;
    report["shifts"] = options.shifts;
    report["model"] = model_name;
    report["distance"] = options.distance;
    report["schedule_file"] = out;
    if (json) {
        std::cout << report.dump() << std::endl;
        return kExitOk;
    }
    std::printf("%s at %lld NFE, fitted to %s at %lld NFE: validation loss %.5g (warm start %.5g), best at iteration %lld of %lld\n",
                to_string(options.solver), static_cast<long long>(options.nfe), to_string(options.teacher_solver),
                static_cast<long long>(options.teacher_nfe), result.best_validation, result.warm_start_validation,
                static_cast<long long>(result.best_iteration), static_cast<long long>(result.iterations));
    std::printf("sigmas        %s\n", sigma_text(result.sigmas).c_str());
    if (options.shifts) std::printf("query sigmas  %s\n", sigma_text(result.query_sigmas).c_str());
    std::printf("warm start    %s\n", sigma_text(result.warm_start).c_str());
    std::printf("function evaluations: %lld (teacher %lld, warm-start screen %lld, held-out validation %lld, fit %lld; forward "
                "passes only); %s\n",
                static_cast<long long>(result.total_evaluations()), static_cast<long long>(result.teacher_evaluations),
                static_cast<long long>(result.screen_evaluations), static_cast<long long>(result.validation_evaluations),
                static_cast<long long>(result.fit_evaluations), format_duration(result.seconds).c_str());
    std::printf("wrote %s\n", out.c_str());
    return kExitOk;
}

int export_schedule_command(const std::vector<std::string>& raw) {
    const Arguments args(raw, {"format"}, {"help"});
    if (args.flag("help") || args.positional().size() != 1) {
        std::cout << "usage: irlstudio-cli export-schedule FILE.irls [--format comfyui|json]\n\n"
                     "  comfyui  the sigma list, comma-separated, as ComfyUI's ManualSigmas node takes it (default);\n"
                     "           each value written to round-trip exactly (--sigmas and the Schedule node read it back)\n"
                     "  json     {\"solver\", \"nfe\", \"sigmas\", \"query_sigmas\", \"model\", \"model_checksum\", \"facts\"}\n";
        return args.flag("help") ? kExitOk : kExitUsage;
    }
    const std::string path = args.positional().front();
    const std::string format = args.text("format", "comfyui");
    if (format != "comfyui" && format != "json") throw UsageError("--format: comfyui or json, not '" + format + "'");
    const LearnedSchedule schedule = load_learned_schedule(path);
    if (format == "json") {
        std::cout << nlohmann::json{{"solver", to_string(schedule.solver)},
                                    {"nfe", schedule.nfe},
                                    {"sigmas", schedule.sigmas},
                                    {"query_sigmas", schedule.query_sigmas},
                                    {"model", schedule.model},
                                    {"model_checksum", schedule.model_checksum},
                                    {"facts", nlohmann::json::parse(schedule.facts_json)}}
                         .dump()
                  << std::endl;
        return kExitOk;
    }
    std::string text;
    char buffer[40];
    for (size_t i = 0; i < schedule.sigmas.size(); ++i) {
        std::snprintf(buffer, sizeof buffer, "%s%.17g", i ? ", " : "", schedule.sigmas[i]);
        text += buffer;
    }
    std::cout << text << std::endl;
    if (schedule.has_shifts())
        std::cerr << "note: '" << path << "' also queries the denoiser away from its levels (learned query shifts), which a plain "
                     "sigma list cannot carry: samplers given this list run without them. A schedule fitted with --no-shift "
                     "transfers exactly.\n";
    std::cerr << "fitted for " << to_string(schedule.solver) << " at " << schedule.nfe << " NFE on '" << schedule.model << "'\n";
    return kExitOk;
}

}  // namespace irl::cli
