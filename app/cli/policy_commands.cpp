// `irlstudio-cli train-policy`: learns a sampling policy by inverse RL on a toy (exact denoiser)
// or on the bundled Fashion-MNIST denoiser, with expert data from the same data set.
#include "arguments.h"
#include "commands.h"
#include "progress_bar.h"
#include "sampler_arguments.h"

#include "irl/engine/models/gaussian_mixture_denoiser.h"
#include "irl/engine/data/image_dataset.h"
#include "irl/engine/learning/irl/irl_trainer.h"
#include "irl/engine/io/atomic_file.h"
#include "irl/engine/learning/irl/policy_file.h"
#include "irl/engine/core/random.h"
#include "irl/engine/core/resources.h"
#include "irl/engine/data/toy_mixtures.h"
#include "irl/engine/models/unet_denoiser.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <cstdio>
#include <iostream>
#include <sstream>

namespace irl::cli {

namespace {

double parse_number(const std::string& text, const std::string& what) {
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0') throw UsageError("--actions: \"" + text + "\" is not a number (" + what + ")");
    return v;
}

}  // namespace

// "guidance=1,1.5,2;churn=0,0.1@0.5:10" -> an action space. "@LO:HI" after a component's choices
// makes the policy choose only at noise levels LO <= sigma <= HI (either end may be left out);
// outside, the sampler's fixed value applies.
ActionSpace parse_action_space(const std::string& text) {
    ActionSpace space;
    std::stringstream parts(text);
    std::string part;
    while (std::getline(parts, part, ';')) {
        const auto eq = part.find('=');
        if (eq == std::string::npos)
            throw UsageError("--actions: expected KIND=V1,V2,...[@SIGMA_MIN:SIGMA_MAX] separated by ';', got \"" + part + "\"");
        ActionComponent component;
        component.kind = action_kind_from_string(part.substr(0, eq));
        std::string list = part.substr(eq + 1);
        if (const auto at = list.find('@'); at != std::string::npos) {
            const std::string range = list.substr(at + 1);
            list = list.substr(0, at);
            const auto colon = range.find(':');
            if (colon == std::string::npos) throw UsageError("--actions: a noise-level range is written @SIGMA_MIN:SIGMA_MAX, got \"@" + range + "\"");
            if (colon > 0) component.sigma_min = parse_number(range.substr(0, colon), "sigma_min");
            if (colon + 1 < range.size()) component.sigma_max = parse_number(range.substr(colon + 1), "sigma_max");
        }
        std::stringstream values(list);
        std::string value;
        while (std::getline(values, value, ',')) component.choices.push_back(parse_number(value, "a choice"));
        space.components.push_back(component);
    }
    try {
        space.validate();
    } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--actions: ") + e.what());
    }
    return space;
}

nlohmann::json probabilities_json(const std::vector<torch::Tensor>& probabilities) {
    nlohmann::json components = nlohmann::json::array();
    for (const torch::Tensor& table : probabilities) {
        const torch::Tensor p = table.to(torch::kFloat64).contiguous();
        nlohmann::json rows = nlohmann::json::array();
        for (int64_t l = 0; l < p.size(0); ++l) rows.push_back(std::vector<double>(p[l].data_ptr<double>(), p[l].data_ptr<double>() + p.size(1)));
        components.push_back(rows);
    }
    return components;
}

int train_policy_command(const std::vector<std::string>& raw, const CancelToken& cancel) {
    std::set<std::string> names = sampler_option_names();
    names.insert({"toy", "model", "expert-classes", "actions", "policy", "divergence", "pr-lambda", "iterations", "batch",
                    "policy-lr", "entropy", "nfe-cost", "seed", "out", "threads", "checkpoint", "checkpoint-every",
                  "discriminator-steps"});
    std::map<std::string, std::string> renamed = sampler_option_renames();
    renamed["lambda-pr"] = "pr-lambda";
    const Arguments args(raw, names, {"json", "help", "unconditional", "fresh"}, renamed);
    if (args.flag("help")) {
        std::cout << "usage: irlstudio-cli train-policy --out POLICY.pt [OPTIONS]\n\n"
                     "  --toy NAME            learn on a 2-D toy with its exact denoiser (default: the bundled Fashion-MNIST model)\n"
                     "  --model FILE          U-Net weights (default: the bundled one)\n"
                     "  --expert-classes A,B  expert data from these classes only (bias correction)\n"
                     "  --actions SPEC        e.g. \"guidance=1,1.5,2;churn=0,0.1\" (kinds: guidance, churn, renoise, stochasticity,\n"
                     "                        skip: levels down per step, start: the sigma to start from)\n"
                     "                        with --budget B and a fine schedule (--steps 64), skip and start choose the schedule\n"
                     "                        KIND=...@LO:HI lets the policy choose only at LO <= sigma <= HI\n"
                     "  --policy KIND         table or network (default table)\n"
                     "  --divergence NAME     forward-kl, reverse-kl, jensen-shannon, pearson, precision-recall (default jensen-shannon)\n"
                     "  --pr-lambda L         the precision-recall divergence's lambda (default 1)\n"
                     "  --iterations N        default 100;  --batch N trajectories per iteration (default 256)\n"
                     "  --checkpoint FILE     checkpoint there every --checkpoint-every iterations (default 10) and at the end;\n"
                     "                        an existing checkpoint is resumed (iterations count from its own), --fresh ignores it;\n"
                     "                        Ctrl+C or SIGTERM writes one (default OUT.ckpt) and the policy so far, marked partial\n"
                     "  --discriminator-steps N  discriminator updates per iteration (default 2)\n"
                     "  --policy-lr, --entropy, --nfe-cost, --seed, --unconditional, --json\n"
                  << sampler_options_help();
        return kExitOk;
    }
    const std::string out = args.text("out", "");
    if (out.empty()) throw UsageError("--out POLICY.pt is required");
    if (args.has("threads")) torch::set_num_threads(static_cast<int>(args.integer("threads", 2, 1, 256)));
    IrlOptions options;
    options.sampler = sampler_settings_from(args, 6);
    options.divergence = {divergence_from_string(args.text("divergence", "jensen-shannon")), args.number("pr-lambda", 1.0)};
    options.batch = args.integer("batch", 256, 2, 100000);
    options.policy_lr = args.number("policy-lr", 3e-2);
    options.entropy_bonus = args.number("entropy", 0.01);
    options.nfe_cost = args.number("nfe-cost", 0.0);
    options.discriminator_steps = args.integer("discriminator-steps", options.discriminator_steps, 1, 1000);
    options.seed = static_cast<uint64_t>(args.integer("seed", 0, 0, 1 << 30));
    options.conditional = !args.flag("unconditional");
    const ActionSpace space = parse_action_space(args.text("actions", "guidance=1,2,3"));

    std::shared_ptr<Denoiser> denoiser;
    torch::Tensor expert;
    std::vector<int64_t> expert_classes;
    for (double c : args.numbers("expert-classes")) {
        if (c < 0 || c != std::floor(c)) throw UsageError("--expert-classes: class indices are whole numbers >= 0");
        expert_classes.push_back(static_cast<int64_t>(c));
    }
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
        const std::string model = args.has("model") ? args.text("model", "") : find_resource("models/fashion-unet.pt");
        denoiser = std::shared_ptr<Denoiser>(UnetDenoiser::load(model));
        ImageDataset data = load_fashion_mnist("train");
        for (int64_t c : expert_classes)
            if (c >= static_cast<int64_t>(data.class_names.size()))
                throw UsageError("--expert-classes: Fashion-MNIST has classes 0..9, not " + std::to_string(c));
        if (!expert_classes.empty()) data = data.filtered(expert_classes);
        expert = data.images;
    }
    const int64_t levels = static_cast<int64_t>(options.sampler.sigmas.size()) - 1;
    std::shared_ptr<Policy> policy;
    const std::string kind = args.text("policy", "table");
    const int64_t budget = std::max<int64_t>(0, options.sampler.budget);
    if (kind == "table") policy = std::make_shared<TablePolicy>(space, levels, budget);
    else if (kind == "network")
        policy = std::make_shared<NetworkPolicy>(space, levels, denoiser->sample_shape(), denoiser->num_classes(), 64, options.seed, budget);
    else throw UsageError("--policy must be table or network");

    IrlTrainer trainer(*denoiser, policy, expert, options);
    const std::string setup_json = PolicySetup::of(*denoiser, options.sampler).to_json();
    const std::string checkpoint_option = args.text("checkpoint", "");
    // Without --checkpoint, an interrupted run still keeps what it learned next to --out.
    const std::string checkpoint = checkpoint_option.empty() ? out + ".ckpt" : checkpoint_option;
    const int64_t checkpoint_every = args.integer("checkpoint-every", 10, 1, 1000000);
    // Both outputs must be writable before hours of training, not after.
    check_writable(out);
    check_writable(checkpoint);
    if (!checkpoint_option.empty() && !args.flag("fresh") && std::filesystem::exists(checkpoint)) {
        trainer.load_checkpoint(checkpoint, setup_json);
        if (!args.flag("json"))
            std::cerr << "resuming " << checkpoint << " at iteration " << trainer.iterations() << "\n";
    }
    const int64_t iterations = args.integer("iterations", 100, 1, 1000000);
    ProgressBar bar("train-policy");
    const auto start = std::chrono::steady_clock::now();
    IrlIteration last;
    const PolicySetup setup = PolicySetup::of(*denoiser, options.sampler);
    auto facts = [&](bool partial) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return nlohmann::json{{"iterations", trainer.iterations()}, {"divergence", to_string(options.divergence.kind)},
                              {"pr_lambda", options.divergence.pr_lambda}, {"training_evaluations", trainer.total_evaluations()},
                              {"seconds", seconds}, {"final_discriminator_accuracy", last.discriminator_accuracy},
                              {"final_mean_reward", last.mean_reward}, {"final_nfe", last.nfe}, {"partial", partial}};
    };
    try {
        for (int64_t i = trainer.iterations(); i < iterations; ++i) {
            last = trainer.iterate(&cancel);
            if (!checkpoint_option.empty() && (trainer.iterations() % checkpoint_every == 0 || i + 1 == iterations))
                trainer.save_checkpoint(checkpoint, setup_json);
            char detail[96];
            std::snprintf(detail, sizeof detail, "disc acc %.2f  reward %.3f  entropy %.2f  NFE %.1f", last.discriminator_accuracy,
                          last.mean_reward, last.entropy, last.nfe);
            bar.update(i + 1, iterations, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), detail);
        }
    } catch (const Cancelled&) {
        // Ctrl+C or SIGTERM: what was learned is kept, a checkpoint to resume from and the policy so far.
        bar.finish();
        trainer.save_checkpoint(checkpoint, setup_json);
        save_policy(*policy, setup, out, facts(true).dump());
        std::cerr << "interrupted after " << trainer.iterations() << " iterations: wrote the checkpoint " << checkpoint
                  << " (resume with --checkpoint " << checkpoint << ") and the policy so far to " << out << " (marked partial)\n";
        throw;
    }
    bar.finish();
    const nlohmann::json done = facts(false);
    save_policy(*policy, setup, out, done.dump());
    nlohmann::json report = done;
    report["policy"] = out;
    report["actions"] = nlohmann::json::parse(space.to_json());
    report["action_probabilities"] = probabilities_json(last.action_probabilities);
    if (args.flag("json")) std::cout << report.dump() << std::endl;
    else std::cout << "wrote " << out << " after " << trainer.iterations() << " iterations (" << trainer.total_evaluations()
                   << " function evaluations, " << format_duration(done["seconds"].get<double>()) << ")\n";
    return kExitOk;
}

}  // namespace irl::cli
