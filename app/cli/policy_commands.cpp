// `irlstudio-cli train-policy`: learns a sampling policy by inverse RL on a toy (exact denoiser)
// or on the bundled Fashion-MNIST denoiser, with expert data from the same data set.
#include "arguments.h"
#include "bench_setup.h"
#include "commands.h"
#include "progress_bar.h"
#include "sampler_arguments.h"

#include "irl/engine/models/gaussian_mixture_denoiser.h"
#include "irl/engine/data/image_dataset.h"
#include "irl/engine/learning/irl/policy_training.h"
#include "irl/engine/io/atomic_file.h"
#include "irl/engine/learning/irl/policy_file.h"
#include "irl/engine/core/random.h"
#include "irl/engine/core/resources.h"
#include "irl/engine/data/toy_mixtures.h"
#include "irl/engine/models/unet_denoiser.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <cstdio>
#include <iostream>
#include <sstream>

namespace irl::cli {


int train_policy_command(const std::vector<std::string>& raw, const CancelToken& cancel) {
    std::set<std::string> names = sampler_option_names();
    names.insert({"toy", "model", "expert-classes", "actions", "policy", "divergence", "pr-lambda", "iterations", "batch",
                    "policy-lr", "entropy", "entropy-final", "nfe-cost", "seed", "out", "threads", "checkpoint", "checkpoint-every",
                  "discriminator-steps", "start-probability", "folder", "fit"});
    std::map<std::string, std::string> renamed = sampler_option_renames();
    renamed["lambda-pr"] = "pr-lambda";
    const Arguments args(raw, names, {"json", "help", "unconditional", "fresh"}, renamed);
    if (args.flag("help")) {
        std::cout << "usage: irlstudio-cli train-policy --out POLICY.pt [OPTIONS]\n\n"
                     "  --toy NAME            learn on a 2-D toy with its exact denoiser (default: the bundled Fashion-MNIST model)\n"
                     "  --model FILE          a U-Net file, or TorchScript with its JSON sidecar (default: the bundled model)\n"
                     "  --expert-classes A,B  expert data from these classes only (bias correction)\n"
                     "  --actions SPEC        e.g. \"guidance=1,1.5,2;churn=0,0.1\" (kinds: guidance, churn, renoise, stochasticity,\n"
                     "                        skip: levels down per step, start: the sigma to start from,\n"
                     "                        next: the next level's sigma times this, per sample, e.g. next=0.8,1,1.25)\n"
                     "                        with --budget B and a fine schedule (--steps 64), skip and start choose the schedule\n"
                     "                        KIND=...@LO:HI lets the policy choose only at LO <= sigma <= HI\n"
                  << "  --policy KIND         " << name_list(policy_kind_names()) << " (default table)\n"
                  << "  --divergence NAME     " << name_list(divergence_names()) << " (default jensen-shannon)\n"
                     "  --pr-lambda L         the precision-recall divergence's lambda (default 1)\n"
                     "  --iterations N        default 100;  --batch N trajectories per iteration (default 256)\n"
                     "  --checkpoint FILE     checkpoint there every --checkpoint-every iterations (default 10) and at the end;\n"
                     "                        an existing checkpoint is resumed (iterations count from its own), --fresh ignores it;\n"
                     "                        Ctrl+C or SIGTERM writes one (default OUT.ckpt) and the policy so far, marked partial\n"
                     "  --discriminator-steps N  discriminator updates per iteration (default 2)\n"
                     "  --start-probability P start at the sampler's own choice (each action's choice nearest the fixed control)\n"
                     "                        with probability P instead of uniform (default 0: uniform)\n"
                     "  --entropy-final E     the entropy bonus falls linearly from --entropy to E by the last iteration\n"
                     "                        (default -1: it stays constant)\n"
                     "  --policy-lr, --entropy, --nfe-cost, --seed, --unconditional, --json\n"
                  << folder_options_help() << sampler_options_help() << threads_option_help();
        return kExitOk;
    }
    const std::string out = args.text("out", "");
    if (out.empty()) throw UsageError("--out POLICY.pt is required");
    use_threads_option(args);
    PolicyTrainingOptions training;
    IrlOptions& options = training.irl;
    options.sampler = sampler_settings_from(args, 6);
    options.divergence = {Divergence::JensenShannon, 1.0};
    options.conditional = !args.flag("unconditional");
    read_policy_training_settings(command_settings(args), training);
    training.actions = action_space_option(args, "guidance=1,2,3");

    std::shared_ptr<Denoiser> denoiser;
    torch::Tensor expert;
    std::vector<int64_t> expert_classes;
    for (double c : args.numbers("expert-classes")) {
        if (c < 0 || c != std::floor(c)) throw UsageError("--expert-classes: class indices are whole numbers >= 0");
        expert_classes.push_back(static_cast<int64_t>(c));
    }
    if (args.has("toy") && (args.has("folder") || args.has("model")))
        throw UsageError("--toy brings its own data and denoiser: give it without --folder and --model");
    if (args.has("toy")) {
        auto toy = make_toy_mixture(args.text("toy", "ring8"));
        for (int64_t c : expert_classes)
            if (c >= toy.num_classes())
                throw UsageError("--expert-classes: the toy " + args.text("toy", "ring8") + " has classes 0.." + std::to_string(toy.num_classes() - 1) +
                                 ", not " + std::to_string(c));
        at::Generator g = make_generator(options.seed + 1);
        torch::Tensor labels;
        expert = toy.sample(50000, g, -1, &labels);
        if (!expert_classes.empty()) {
            torch::Tensor keep = torch::zeros({expert.size(0)}, torch::kBool);
            for (int64_t c : expert_classes) keep |= labels == c;
            expert = expert.index({keep});
        }
        denoiser = std::make_shared<GaussianMixtureDenoiser>(std::move(toy), "toy:" + args.text("toy", "ring8"));
    } else {
        denoiser = model_option(args);
        ImageDataset data = training_images_option(args, *denoiser, "train");
        for (int64_t c : expert_classes)
            if (c >= static_cast<int64_t>(data.class_names.size()))
                throw UsageError("--expert-classes: the expert data has classes 0.." + std::to_string(data.class_names.size() - 1) +
                                 ", not " + std::to_string(c));
        if (!expert_classes.empty()) data = data.filtered(expert_classes);
        expert = data.images;
    }
    const std::string checkpoint_option = args.text("checkpoint", "");
    // Without --checkpoint, an interrupted run still keeps what it learned next to --out.
    training.checkpoint = checkpoint_option.empty() ? out + ".ckpt" : checkpoint_option;
    training.checkpoint_every = checkpoint_option.empty() ? 0 : args.integer("checkpoint-every", 10, 1, 1000000);
    training.resume = !checkpoint_option.empty() && !args.flag("fresh");
    training.policy_file = out;
    PolicyTraining run(*denoiser, expert, training);
    if (run.resumed() && !args.flag("json"))
        std::cerr << "resuming " << training.checkpoint << " at iteration " << run.trainer().iterations() << "\n";
    ProgressBar bar("train-policy");
    PolicyTrainingControl control;
    control.cancel = &cancel;
    const int64_t done_at_start = run.trainer().iterations();
    control.on_iteration = [&](const PolicyTrainingProgress& p) {
        char detail[96];
        std::snprintf(detail, sizeof detail, "disc acc %.2f  reward %.3f  entropy %.2f  NFE %.1f", p.iteration.discriminator_accuracy,
                      p.iteration.mean_reward, p.iteration.entropy, p.iteration.nfe);
        bar.update(p.iteration.iteration, p.iterations, p.seconds, detail, done_at_start);
    };
    PolicyTrainingOutcome outcome;
    try {
        outcome = run.run(control);
    } catch (const Cancelled&) {
        // Ctrl+C or SIGTERM: the driver kept a checkpoint to resume from and the policy so far.
        bar.finish();
        std::cerr << "interrupted after " << run.trainer().iterations() << " iterations: wrote the checkpoint " << training.checkpoint
                  << " (resume with --checkpoint " << training.checkpoint << ") and the policy so far to " << out << " (marked partial)\n";
        throw;
    }
    bar.finish();
    nlohmann::json report = nlohmann::json::parse(run.facts_json(outcome.last, outcome.seconds, false));
    report["policy"] = out;
    report["actions"] = nlohmann::json::parse(training.actions.to_json());
    report["action_probabilities"] = action_probabilities_json(outcome.last.action_probabilities);
    if (args.flag("json")) std::cout << report.dump() << std::endl;
    else std::cout << "wrote " << out << " after " << run.trainer().iterations() << " iterations (" << run.trainer().total_evaluations()
                   << " function evaluations, " << format_duration(outcome.seconds) << ")\n";
    return kExitOk;
}

}  // namespace irl::cli
