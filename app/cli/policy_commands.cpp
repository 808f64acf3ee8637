// `irlstudio-cli train-policy`: learns a sampling policy by inverse RL on a toy (exact denoiser)
// or on the bundled Fashion-MNIST denoiser, with expert data from the same data set.
#include "arguments.h"
#include "commands.h"
#include "progress_bar.h"
#include "sampler_arguments.h"

#include "irl/engine/gaussian_mixture_denoiser.h"
#include "irl/engine/image_dataset.h"
#include "irl/engine/irl_trainer.h"
#include "irl/engine/policy_file.h"
#include "irl/engine/random.h"
#include "irl/engine/resources.h"
#include "irl/engine/toy_mixtures.h"
#include "irl/engine/unet_denoiser.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <chrono>
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
    names.insert({"toy", "model", "expert-classes", "actions", "policy", "divergence", "lambda-pr", "iterations", "batch",
                    "policy-lr", "entropy", "nfe-cost", "seed", "out", "threads", "checkpoint", "checkpoint-every",
                  "discriminator-steps"});
    const Arguments args(raw, names, {"json", "help", "unconditional", "fresh"});
    if (args.flag("help")) {
        std::cout << "usage: irlstudio-cli train-policy --out POLICY.pt [OPTIONS]\n\n"
                     "  --toy NAME            learn on a 2-D toy with its exact denoiser (default: the bundled Fashion-MNIST model)\n"
                     "  --model FILE          U-Net weights (default: the bundled one)\n"
                     "  --expert-classes A,B  expert data from these classes only (bias correction)\n"
                     "  --actions SPEC        e.g. \"guidance=1,1.5,2;churn=0,0.1\" (kinds: guidance, churn, renoise, lambda)\n"
                     "                        KIND=...@LO:HI lets the policy choose only at LO <= sigma <= HI\n"
                     "  --policy KIND         table or network (default table)\n"
                     "  --divergence NAME     forward-kl, reverse-kl, jensen-shannon, pearson, precision-recall (default jensen-shannon)\n"
                     "  --lambda-pr L         the precision-recall divergence's lambda (default 1)\n"
                     "  --iterations N        default 100;  --batch N trajectories per iteration (default 256)\n"
                     "  --checkpoint FILE     checkpoint there every --checkpoint-every iterations (default 10) and at the end;\n"
                     "                        an existing checkpoint is resumed (iterations count from its own), --fresh ignores it\n"
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
    options.divergence = {divergence_from_string(args.text("divergence", "jensen-shannon")), args.number("lambda-pr", 1.0)};
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
    for (double c : args.numbers("expert-classes")) expert_classes.push_back(static_cast<int64_t>(c));
    if (args.has("toy")) {
        auto toy = make_toy_mixture(args.text("toy", "ring8"));
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
        if (!expert_classes.empty()) data = data.filtered(expert_classes);
        expert = data.images;
    }
    const int64_t levels = static_cast<int64_t>(options.sampler.sigmas.size()) - 1;
    std::shared_ptr<Policy> policy;
    const std::string kind = args.text("policy", "table");
    if (kind == "table") policy = std::make_shared<TablePolicy>(space, levels);
    else if (kind == "network") policy = std::make_shared<NetworkPolicy>(space, levels, denoiser->sample_shape(), denoiser->num_classes(), 64, options.seed);
    else throw UsageError("--policy must be table or network");

    IrlTrainer trainer(*denoiser, policy, expert, options);
    const std::string setup_json = PolicySetup::of(*denoiser, options.sampler).to_json();
    const std::string checkpoint = args.text("checkpoint", "");
    const int64_t checkpoint_every = args.integer("checkpoint-every", 10, 1, 1000000);
    if (!checkpoint.empty() && !args.flag("fresh") && std::filesystem::exists(checkpoint)) {
        trainer.load_checkpoint(checkpoint, setup_json);
        if (!args.flag("json"))
            std::cerr << "resuming " << checkpoint << " at iteration " << trainer.iterations() << "\n";
    }
    const int64_t iterations = args.integer("iterations", 100, 1, 1000000);
    ProgressBar bar("train-policy");
    const auto start = std::chrono::steady_clock::now();
    IrlIteration last;
    for (int64_t i = trainer.iterations(); i < iterations; ++i) {
        last = trainer.iterate(&cancel);
        if (!checkpoint.empty() && (trainer.iterations() % checkpoint_every == 0 || i + 1 == iterations))
            trainer.save_checkpoint(checkpoint, setup_json);
        char detail[96];
        std::snprintf(detail, sizeof detail, "disc acc %.2f  reward %.3f  entropy %.2f  NFE %.1f", last.discriminator_accuracy,
                      last.mean_reward, last.entropy, last.nfe);
        bar.update(i + 1, iterations, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), detail);
    }
    bar.finish();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const nlohmann::json facts = {{"iterations", trainer.iterations()}, {"divergence", to_string(options.divergence.kind)},
                                  {"lambda", options.divergence.lambda}, {"training_evaluations", trainer.total_evaluations()},
                                  {"seconds", seconds}, {"final_discriminator_accuracy", last.discriminator_accuracy},
                                  {"final_mean_reward", last.mean_reward}, {"final_nfe", last.nfe}};
    save_policy(*policy, PolicySetup::of(*denoiser, options.sampler), out, facts.dump());
    nlohmann::json report = facts;
    report["policy"] = out;
    report["actions"] = nlohmann::json::parse(space.to_json());
    report["action_probabilities"] = probabilities_json(last.action_probabilities);
    if (args.flag("json")) std::cout << report.dump() << std::endl;
    else std::cout << "wrote " << out << " after " << iterations << " iterations (" << trainer.total_evaluations()
                   << " function evaluations, " << format_duration(seconds) << ")\n";
    return kExitOk;
}

}  // namespace irl::cli
