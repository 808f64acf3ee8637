// `irlstudio-cli bench ...`: measurements too long for the test suite, whose results go into
// docs/ with the command that made them. Never timed assertions: they print what they measure.
#include "bench_setup.h"
#include "commands.h"

#include <torch/torch.h>

#include <iostream>

namespace irl::cli {

int bench_command(const std::vector<std::string>& raw, const CancelToken& cancel) {
    if (raw.empty() || raw[0] == "--help" || raw[0] == "help") {
        std::cout << "usage: irlstudio-cli bench WHAT [OPTIONS]\n\n"
                     "  solvers  FD / precision / recall / class accuracy of euler, heun, dpmpp-2m and euler-ancestral\n"
                     "           at about 5, 9, 19 and 35 NFE on the bundled denoiser, against the first --count test images,\n"
                     "           and the floor: the next --count test images scored the same way [--count 1000, at most 5000]\n"
                     "           [--solver euler,heun,...] [--nfe 5,9,19,35] [--no-floor] [--guidance 1] [--seed 0] [--model F]\n"
                     "           [--classifier F] [--features F: a second judge, a network of train-features, and the rank\n"
                     "           correlation of the two judges' FD over the rows] [--json] (docs/solvers.md)\n"
                     "  irl-toy  policies learned by IRL on a 2-D toy vs every fixed choice of the same actions, every classic\n"
                     "           solver at the same NFE (sigma_max 2..80 x rho 1..7) and a schedule tuned with as many evaluations\n"
                     "           [--toy ring8] [--solver heun] [--steps 6] [--actions \"churn=0,0.2,0.5,1\"] [--budget B]\n"
                     "           [--eval-seeds 1000003,1000004,1000005] [--classic-nfe N] [--tuning-budget E] [--verbose: every classic row]\n"
                     "           a schedule policy: --solver dpmpp-2m --steps 64 --budget 5 --actions \"start=80,20,10,5,2;skip=1,2,4,8,16\"\n"
                     "           [--iterations 60] [--batch 128] [--count 4000] [--seed 0] [--divergence jensen-shannon or a list,\n"
                     "           one policy each: precision-recall:0.2,precision-recall:5] [--sampled: also score at temperature 1]\n"
                     "  irl-fashion  learned table policies (one per --divergence and seed) on the bundled denoiser vs a grid of\n"
                     "           fixed choices, every classic solver at the same NFE and a schedule tuned on --tuning-count\n"
                     "           training images, scored on --count samples against the test images:\n"
                     "           [--actions \"guidance=1,1.5,2,3;churn=0,0.1,0.3\"] [--count 1000] [--budget B] [--no-baselines]\n"
                     "           [--iterations 40] [--batch 64] [--nfe-cost 0] [--divergence jensen-shannon,precision-recall:0.2,...]\n"
                     "           [--solver heun] [--steps 5] [--discriminator-steps 2] [--sampled: also score at temperature 1] (long: docs/irl.md)\n"
                     "  irl-bias bias correction: expert data from --expert-classes (default 5,7,9: footwear), unconditional\n"
                     "           sampling, a network policy over [--actions \"renoise=0,2;churn=0,0.3\"]; class histograms before/after\n"
                     "           [--renoise-cap 4] [--nfe-cost 0] [--discriminator-steps 2] [--iterations 40] [--divergence jensen-shannon]\n"
                     "           the irl-* benches share [--batch N] [--policy-lr R] [--entropy E] [--entropy-final E] [--nfe-cost C] [--discriminator-steps N] [--seed S];\n"
                     "           irl-toy and irl-fashion also take [--seeds 0,1,2] (one policy per seed and divergence, and one\n"
                     "           verdict per divergence over every training and evaluation seed) and [--screen-count N] (the classic\n"
                     "           grid is screened on N samples of one evaluation seed, default --count/4, at least 200, and its best\n"
                     "           three rows scored on all; the best classic is the best of those there);\n"
                     "           an action KIND=V1,V2@LO:HI is chosen by the policy only at noise levels LO <= sigma <= HI\n"
                     "  overhead wall time of a network policy against the same sampler with fixed actions, side by side\n"
                     "           [--count 64] [--steps 5] [--solver heun] [--actions ...] [--repeats 11] [--json: {ratio, inference_fraction, ...}]\n"
                     "  soak     run/cancel cycles through the GraphRunner, each cancelled after a random 1..--max-progress\n"
                     "           progress reports; resident memory and threads [--cycles 1000] [--graph default.json]\n"
                     "           [--count N: images per run] [--sampler sampler-1] [--seed 0] [--json] (docs/reliability.md)\n"
                     "  speed    wall time to sample --count 16 images at --nfe 19 with Heun (median of --repeats 5): native,\n"
                     "           with --guidance 2, and with [--torchscript FILE] (the same model exported by\n"
                     "           app/cli/python/export_unet_torchscript.py) frozen and as saved; [--python-loop SCRIPT]\n"
                     "           also times app/cli/python/heun_loop.py over that file; [--large-count N] one more run of N images\n"
                     "  claim    --method schedule-fit: schedules fitted to a many-step teacher (one per --seeds, --variants\n"
                     "           shifts,plain) vs their warm starts, the best classic solver at the same NFE on the evaluation seeds\n"
                     "           and a tuned schedule, with the verdict; [--testbed ring8|grid25|fashion] (default fashion; --toy\n"
                     "           NAME also) [--solver dpmpp-2m] [--nfe 5] [--count: 4000 toys, 10000 images] [--eval-seeds ...]\n"
                     "           [--screen-count N] [--iterations 200] [--pairs 200] [--validation-pairs 50] [--batch 32] [--lr 0.02]\n"
                     "           [--teacher-nfe 35] [--soft-teacher R]\n"
                     "           [--tuning-budget E] [--tuning-count N] [--no-baselines] [--warm-start teacher|tuning: each fit's\n"
                     "           grid schedule nearest its teacher (default), or the grid's best for --solver on the tuning data]\n"
                     "           [--fixed-sigma-max: every fit keeps its warm start's sigma_max] [--keep-by teacher|tuning: each\n"
                     "           fit keeps the parameters nearest its teacher (default), or those that score best on the tuning\n"
                     "           data] [--feature-distance F: the fits match their teachers in the features of F, a network of\n"
                     "           train-features (default: models/fashion-features.pt on Fashion) | --pixel-distance]\n"
                     "           [--checkpoint-dir DIR: every row kept there as it is scored; the same command again scores only\n"
                     "           what is missing]\n"
                     "           (docs/schedules.md)\n"
                     "           --method irl: IRL policies (one per --seeds) started at the best schedule for --solver and the\n"
                     "           best constant of --actions, both chosen on tuning data (--solver auto, the default: across every\n"
                     "           solver, each with its own actions: stochasticity for gddim, churn for euler and heun, next for all),\n"
                     "           kept at their best validation, vs their start, every constant, the best classic solver and a tuned\n"
                     "           schedule at their cost (and at --tuning-budget E); [--schedule-file F: the start's schedule]\n"
                     "           [--policy table] [--iterations 100] [--batch 256] [--start-probability 0.5] [--validation-count N]\n"
                     "           [--restarts R: R policies per seed, the best by validation kept, all counted in the cost]\n"
                     "           [--checkpoint-dir DIR: per-seed checkpoints and policies, resumed, and the baselines kept]\n"
                     "           (docs/irl.md)\n"
                     "           --method dxmi --toy NAME: DxMI samplers (one per --seeds and --variants mlp,exact: the MLP fitted to\n"
                     "           the toy and fine-tuned, or the exact denoiser with only the step noises learned) on Euler's best levels\n"
                     "           at --steps 4 chosen on tuning data, vs their untrained start and the best classic solver at the same\n"
                     "           NFE; train-dxmi's flags [--iterations 500] [--tau1 0.1] ... [--learn-levels] [--noised-negatives] [--fit-steps 4000]\n"
                     "           [--tau1-choices 0.1,0.01,0.001: one sampler per value, the best on the tuning data kept] (docs/dxmi.md)\n"
                     "           claim, every method: [--reference SOLVER:NFE,...: rows on EDM's default schedule on the same evaluation\n"
                     "           seeds, e.g. heun:35]; --method reference scores only those\n"
                     "every bench takes\n"
                  << threads_option_help();
        return raw.empty() ? kExitUsage : kExitOk;
    }
    const std::string what = raw[0];
    const std::vector<std::string> rest(raw.begin() + 1, raw.end());
    const Arguments args(rest, {"count", "guidance", "seed", "model", "classifier", "nfe", "repeats", "threads", "toy", "solver",
                                "steps", "divergence", "batch", "policy-lr", "entropy", "entropy-final", "actions", "iterations", "expert-classes", "renoise-cap", "nfe-cost", "discriminator-steps", "seeds", "budget",
                                "eval-seeds", "classic-nfe", "tuning-budget", "tuning-count", "screen-count",
                                "cycles", "graph", "max-progress", "sampler", "torchscript", "python-loop", "large-count",
                                "method", "teacher-nfe", "pairs", "validation-pairs", "lr", "soft-teacher", "variants",
                                "policy", "start-probability", "checkpoint-dir", "features", "schedule-file", "validation-count", "restarts", "warm-start", "keep-by",
                                "noise-fraction", "denoiser-lr", "noise-lr", "energy-lr", "value-lr", "tau1", "tau2", "gamma", "width", "fit-steps", "level-lr", "tau1-choices", "feature-distance", "reference", "testbed"},
                         {"json", "sampled", "verbose", "no-baselines", "no-floor", "learn-levels", "fixed-sigma-max", "noised-negatives", "pixel-distance"});
    use_threads_option(args);
    if (what == "solvers") return bench_solvers(args, cancel);
    if (what == "speed") return bench_speed(args, cancel);
    if (what == "irl-toy") return bench_irl_toy(args, cancel);
    if (what == "overhead") return bench_overhead(args, cancel);
    if (what == "irl-fashion") return bench_irl_fashion(args, cancel);
    if (what == "irl-bias") return bench_irl_bias(args, cancel);
    if (what == "soak") return bench_soak(args, cancel);
    if (what == "claim") return bench_claim(args, cancel);
    throw UsageError("unknown benchmark '" + what + "' (solvers, speed, irl-toy, irl-fashion, irl-bias, overhead, soak, claim)");
}

}  // namespace irl::cli
