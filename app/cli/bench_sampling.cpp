// The sampling benchmarks: solvers at equal function evaluations on the bundled model, the speed
// of one sampling run, and the overhead of a network policy. Results go to docs/ with their commands.
#include "bench_setup.h"
#include "commands.h"

#include "irl/engine/core/compute.h"
#include "irl/engine/data/image_dataset.h"
#include "irl/engine/learning/irl/sampler_comparison.h"
#include "irl/engine/metrics/feature_scores.h"
#include "irl/engine/metrics/rank_correlation.h"
#include "irl/engine/metrics/sampler_evaluation.h"
#include "irl/engine/models/torchscript_denoiser.h"
#include "irl/engine/sampling/schedule.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <iostream>
#include <sstream>

namespace irl::cli {
namespace {

// Forwards to a policy and adds up the wall time of its logits, so that the policy's own share
// of a rollout is measured directly and not only as a difference of two noisy wall times.
class TimedPolicy : public Policy {
public:
    explicit TimedPolicy(Policy& inner) : Policy(inner.action_space(), inner.levels()), inner_(inner) {}
    std::vector<torch::Tensor> logits(const PolicyInput& in) override {
        const double start = now_seconds();
        std::vector<torch::Tensor> out = inner_.logits(in);
        seconds += now_seconds() - start;
        return out;
    }
    std::string kind() const override { return inner_.kind(); }
    double seconds = 0.0;

private:
    Policy& inner_;
};

}  // namespace

int bench_solvers(const Arguments& args, const CancelToken& cancel) {
    auto [model_path, denoiser, classifier] = load_fashion_setup(args);
    // Samples, real images and the floor's second set of real images in equal numbers, the two
    // real sets disjoint: at most half of the test set each (5 000 against 5 000).
    const int64_t count = args.integer("count", 1000, 10, 5000);
    const torch::Tensor real = real_test_features(classifier, count);
    std::vector<Solver> solvers;
    std::stringstream names(args.text("solver", "euler,heun,dpmpp-2m,euler-ancestral"));
    for (std::string name; std::getline(names, name, ',');) {
        try {
            solvers.push_back(solver_from_string(name));
        } catch (const std::exception& e) {
            throw UsageError(std::string("--solver: ") + e.what());
        }
    }
    std::vector<int> budgets;
    for (double nfe : args.has("nfe") ? args.numbers("nfe") : std::vector<double>{5, 9, 19, 35}) {
        if (nfe < 1 || nfe > 1000 || nfe != std::floor(nfe)) throw UsageError("--nfe: expected whole numbers of evaluations in 1..1000");
        budgets.push_back(static_cast<int>(nfe));
    }
    // A second, independent judge (--features FILE, a network of train-features): the same samples
    // against the same real images, on its features; the two rankings of the rows are compared.
    const ImageDataset test = load_fashion_mnist("test");
    std::optional<FeatureFile> judge;
    torch::Tensor judge_real;
    if (args.has("features")) {
        judge = load_feature_network(args.text("features", ""), image_shape_of(denoiser->sample_shape()));
        judge_real = features_of(judge->network, test.images.narrow(0, 0, real.size(0))).features;
    }
    const auto judge_cells = [&](const ImageScores& s) {
        return judge ? " " + fixed(s.fd, 2) + " | " + fixed(s.precision, 3) + " | " + fixed(s.recall, 3) + " | " + fixed(s.class_accuracy, 3) + " |"
                     : std::string();
    };
    const auto judge_json = [&](const ImageScores& s) {
        return nlohmann::json{{"fd", s.fd}, {"precision", s.precision}, {"recall", s.recall}, {"class_accuracy", s.class_accuracy}};
    };
    std::vector<double> fd_classifier, fd_judge;

    nlohmann::json rows = nlohmann::json::array();
    std::ostringstream table;
    table << "| solver | steps | NFE | FD | precision | recall | class accuracy | seconds |"
          << (judge ? " FD (B) | precision (B) | recall (B) | class accuracy (B) |" : "") << "\n|---|---:|---:|---:|---:|---:|---:|---:|"
          << (judge ? "---:|---:|---:|---:|" : "") << "\n";
    // The floor: other real test images, which neither the classifier nor the denoiser trained
    // on, scored like samples against the same real test images. (Train images are no floor:
    // the classifier's features see the images it trained on differently.)
    if (!args.flag("no-floor")) {
        const int64_t first = real.size(0);
        const ImageScores floor =
            score_images(classifier, test.images.narrow(0, first, count), test.labels.narrow(0, first, count), real);
        table << "| real test images " << first + 1 << "–" << first + count << " (floor) | - | - | " << fixed(floor.fd, 2) << " | "
              << fixed(floor.precision, 3) << " | " << fixed(floor.recall, 3) << " | " << fixed(floor.class_accuracy, 3) << " | - |";
        rows.push_back({{"solver", "real"}, {"first", first}, {"fd", floor.fd}, {"precision", floor.precision},
                        {"recall", floor.recall}, {"class_accuracy", floor.class_accuracy}});
        if (judge) {
            const ImageScores b = score_images(judge->network, test.images.narrow(0, first, count), test.labels.narrow(0, first, count), judge_real);
            table << judge_cells(b);
            rows.back()["judge"] = judge_json(b);
        }
        table << "\n";
    }
    for (Solver solver : solvers) {
        for (int nfe : budgets) {
            SamplerSettings settings;
            settings.solver = solver;
            settings.sigmas = karras_schedule(steps_for_evaluations(solver, nfe));
            settings.fixed.guidance = args.number("guidance", 1.0);
            SampleRequest request;
            request.count = count;
            request.seed = static_cast<uint64_t>(args.integer("seed", 0, 0, 1 << 30));
            request.labels = classes_in_turn(count, denoiser->num_classes());
            request.cancel = &cancel;
            const SamplerEvaluation e = evaluate_sampler(*denoiser, classifier, real, settings, request);
            const int steps = static_cast<int>(settings.sigmas.size()) - 1;
            table << "| " << to_string(solver) << " | " << steps << " | " << fixed(e.result.nfe, 0) << " | "
                  << fixed(e.scores.fd, 2) << " | " << fixed(e.scores.precision, 3) << " | " << fixed(e.scores.recall, 3)
                  << " | " << fixed(e.scores.class_accuracy, 3) << " | " << fixed(e.result.seconds, 1) << " |";
            rows.push_back({{"solver", to_string(solver)}, {"steps", steps}, {"nfe", e.result.nfe}, {"fd", e.scores.fd},
                            {"precision", e.scores.precision}, {"recall", e.scores.recall},
                            {"class_accuracy", e.scores.class_accuracy}, {"seconds", e.result.seconds}});
            if (judge) {
                const ImageScores b = score_images(judge->network, e.result.samples, request.labels, judge_real);
                table << judge_cells(b);
                rows.back()["judge"] = judge_json(b);
                fd_classifier.push_back(e.scores.fd);
                fd_judge.push_back(b.fd);
            }
            table << "\n";
            std::fprintf(stderr, "%s NFE %.0f: FD %.2f\n", to_string(solver), e.result.nfe, e.scores.fd);
            std::fflush(stderr);
        }
    }
    nlohmann::json report{{"rows", rows}, {"samples", count}};
    if (judge && fd_judge.size() >= 2) {
        const double rho = spearman_correlation(torch::tensor(fd_classifier, torch::kFloat64), torch::tensor(fd_judge, torch::kFloat64));
        report["fd_rank_correlation"] = rho;
        table << "\nSpearman correlation of the rows' FD, the bundled classifier against " << args.text("features", "") << ": "
              << fixed(rho, 3) << "\n";
    }
    if (args.flag("json")) std::cout << report.dump() << std::endl;
    else std::cout << table.str();
    return kExitOk;
}

namespace {

// One way of sampling that `bench speed` times: a denoiser and a guidance scale, or the Python loop.
struct SpeedPath {
    SpeedPath(std::string name_, Denoiser* denoiser_, double guidance_, int64_t count_)
        : name(std::move(name_)), denoiser(denoiser_), guidance(guidance_), count(count_) {}
    std::string name;
    Denoiser* denoiser = nullptr;
    double guidance = 1.0;
    int64_t count = 0;
    std::vector<double> seconds;
    double nfe = 0.0;
};

std::string shell_quoted(const std::string& text, const std::string& option) {
    if (text.find('\'') != std::string::npos) throw UsageError(option + ": a path with a single quote cannot be passed on");
    return "'" + text + "'";
}

// Runs the shipped Python loop (app/cli/python/heun_loop.py) over the same TorchScript file and
// reads the one JSON object it prints.
nlohmann::json python_loop(const std::string& script, const std::string& model, int64_t count, int nfe, int repeats) {
    const std::string command = "/usr/bin/python3 " + shell_quoted(script, "--python-loop") + " " + shell_quoted(model, "--torchscript") +
                                " --count " + std::to_string(count) + " --nfe " + std::to_string(nfe) + " --repeats " +
                                std::to_string(repeats) + " --threads " + std::to_string(compute_threads());
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) throw std::runtime_error("--python-loop: cannot start /usr/bin/python3");
    std::string out;
    char buffer[4096];
    while (size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
    const int status = pclose(pipe);
    if (status != 0) throw std::runtime_error("--python-loop: '" + script + "' failed (exit status " + std::to_string(status) + ")");
    try {
        return nlohmann::json::parse(out.substr(out.rfind('{')));
    } catch (const std::exception&) {
        throw std::runtime_error("--python-loop: '" + script + "' printed no JSON result");
    }
}

}  // namespace

int bench_speed(const Arguments& args, const CancelToken& cancel) {
    auto [model_path, denoiser, classifier] = load_fashion_setup(args);
    const int64_t count = args.integer("count", 16, 1, 10000);
    const int nfe = static_cast<int>(args.integer("nfe", 19, 1, 1000));
    const int repeats = static_cast<int>(args.integer("repeats", 5, 1, 1000));
    const double guidance = args.number("guidance", 2.0);
    const std::string torchscript_path = args.text("torchscript", "");
    const std::string python_script = args.text("python-loop", "");
    if (!python_script.empty() && torchscript_path.empty()) throw UsageError("--python-loop needs --torchscript FILE (the same model)");
    std::unique_ptr<TorchScriptDenoiser> frozen, as_saved;
    std::vector<SpeedPath> paths;
    paths.emplace_back("native", denoiser.get(), 1.0, count);
    paths.emplace_back("native, guidance " + fixed(guidance, 2), denoiser.get(), guidance, count);
    if (!torchscript_path.empty()) {
        frozen = TorchScriptDenoiser::load(torchscript_path, TorchScriptMode::Frozen);
        as_saved = TorchScriptDenoiser::load(torchscript_path, TorchScriptMode::AsSaved);
        paths.emplace_back(frozen->mode() == TorchScriptMode::Frozen ? "torchscript, frozen" : "torchscript, frozen (refused: as saved)",
                         frozen.get(), 1.0, count);
        paths.emplace_back("torchscript, as saved", as_saved.get(), 1.0, count);
    }
    const int64_t large = args.integer("large-count", 0, 0, 100000);
    if (large > 0) paths.emplace_back("native, " + std::to_string(large) + " images", denoiser.get(), 1.0, large);

    SamplerSettings settings;
    settings.solver = Solver::Heun;
    settings.sigmas = karras_schedule(steps_for_evaluations(Solver::Heun, nfe));
    auto run = [&](SpeedPath& path, uint64_t seed) {
        SamplerSettings s = settings;
        s.fixed.guidance = path.guidance;
        SampleRequest request;
        request.count = path.count;
        request.labels = classes_in_turn(path.count, std::max<int64_t>(1, path.denoiser->num_classes()));
        request.cancel = &cancel;
        request.seed = seed;
        const double start = now_seconds();
        path.nfe = sample(*path.denoiser, s, request).nfe;
        return now_seconds() - start;
    };
    for (SpeedPath& path : paths) run(path, 1000);  // warm-up: first-call allocations
    // The paths take turns in every repeat, so that they share the machine's moods alike.
    for (int i = 0; i < repeats; ++i)
        for (SpeedPath& path : paths) path.seconds.push_back(run(path, static_cast<uint64_t>(i)));

    nlohmann::json rows = nlohmann::json::array();
    auto add_row = [&](const std::string& name, double median, double low, double high, double row_nfe, int64_t images) {
        rows.push_back({{"path", name}, {"median_seconds", median}, {"min_seconds", low}, {"max_seconds", high}, {"nfe", row_nfe},
                        {"samples", images}, {"ms_per_image_evaluation", 1000.0 * median / (row_nfe * double(images))}});
    };
    for (SpeedPath& path : paths) {
        std::sort(path.seconds.begin(), path.seconds.end());
        add_row(path.name, path.seconds[path.seconds.size() / 2], path.seconds.front(), path.seconds.back(), path.nfe, path.count);
    }
    nlohmann::json report = {{"samples", count}, {"nfe", paths[0].nfe}, {"median_seconds", rows[0]["median_seconds"]},
                             {"min_seconds", rows[0]["min_seconds"]}, {"max_seconds", rows[0]["max_seconds"]},
                             {"threads", compute_threads()}, {"model", model_path}, {"paths", rows}};
    if (!python_script.empty()) {
        const nlohmann::json py = python_loop(python_script, torchscript_path, count, nfe, repeats);
        add_row("python loop, frozen", py.at("median_seconds").get<double>(), py.at("min_seconds").get<double>(),
                py.at("max_seconds").get<double>(), py.at("nfe").get<double>(), count);
        report["paths"] = rows;
        report["ratio_to_python"] = rows[2]["median_seconds"].get<double>() / py.at("median_seconds").get<double>();
    }
    if (args.flag("json")) {
        std::cout << report.dump() << std::endl;
    } else {
        std::printf("Heun, %d threads, median of %d runs:\n", compute_threads(), repeats);
        for (const auto& row : rows)
            std::printf("  %-40s %5lld images  %4.0f NFE  %8.3f s  %6.2f ms per image-evaluation\n", row["path"].get<std::string>().c_str(),
                        static_cast<long long>(row["samples"].get<int64_t>()), row["nfe"].get<double>(), row["median_seconds"].get<double>(),
                        row["ms_per_image_evaluation"].get<double>());
        if (report.contains("ratio_to_python"))
            std::printf("the studio's sampler over the frozen TorchScript model / the Python loop: %.2f\n", report["ratio_to_python"].get<double>());
    }
    return kExitOk;
}

int bench_overhead(const Arguments& args, const CancelToken& cancel) {
    // Benchmark 3 of the IRL issue: wall time of sampling with a network policy choosing the
    // actions at every step, against the same sampler with the same actions fixed, interleaved
    // in one run so that both see the same machine load.
    auto [model_path, denoiser, classifier] = load_fashion_setup(args);
    SamplerSettings settings;
    settings.solver = solver_from_string(args.text("solver", "heun"));
    settings.sigmas = karras_schedule(static_cast<int>(args.integer("steps", 5, 1, 1000)));
    const ActionSpace space = action_space_option(args, "guidance=1,1.5,2;churn=0,0.1");
    const int64_t levels = static_cast<int64_t>(settings.sigmas.size()) - 1;
    NetworkPolicy network(space, levels, denoiser->sample_shape(), denoiser->num_classes());
    // The fixed policy takes the same choices the network happens to take first (uniform start:
    // choice 0), so both runs do the same denoiser work and differ only by the policy.
    FixedPolicy fixed_policy(space, levels, std::vector<int64_t>(space.components.size(), 0));
    SampleRequest request;
    request.count = args.integer("count", 64, 1, 100000);
    request.labels = classes_in_turn(request.count, std::max<int64_t>(1, denoiser->num_classes()));
    request.cancel = &cancel;
    const int repeats = static_cast<int>(args.integer("repeats", 11, 1, 1000));
    std::vector<double> with_policy, with_fixed, inside_policy;
    double nfe_policy = 0.0, nfe_fixed = 0.0;
    TimedPolicy timed(network);
    rollout_policy(*denoiser, fixed_policy, settings, request, 0.0, false);  // warm-up
    rollout_policy(*denoiser, timed, settings, request, 0.0, false);
    for (int i = 0; i < repeats; ++i) {
        request.seed = static_cast<uint64_t>(i);
        // Alternate which goes first, so that neither always runs on a warmer cache.
        for (int k = 0; k < 2; ++k) {
            const bool policy_turn = (k == 0) == (i % 2 == 0);
            const double start = now_seconds();
            if (policy_turn) {
                timed.seconds = 0.0;
                nfe_policy = rollout_policy(*denoiser, timed, settings, request, 0.0, false).result.nfe;
                with_policy.push_back(now_seconds() - start);
                inside_policy.push_back(timed.seconds);
            } else {
                nfe_fixed = rollout_policy(*denoiser, fixed_policy, settings, request, 0.0, false).result.nfe;
                with_fixed.push_back(now_seconds() - start);
            }
        }
    }
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    const double policy_median = median(with_policy), fixed_median = median(with_fixed), inside = median(inside_policy);
    const nlohmann::json report = {{"ratio", policy_median / fixed_median}, {"policy_seconds", policy_median},
                                   {"fixed_seconds", fixed_median}, {"policy_inference_seconds", inside},
                                   {"inference_fraction", inside / fixed_median},
                                   {"nfe_policy", nfe_policy}, {"nfe_fixed", nfe_fixed},
                                   {"samples", request.count}, {"repeats", repeats}, {"solver", to_string(settings.solver)},
                                   {"steps", levels}, {"threads", torch::get_num_threads()}};
    if (args.flag("json")) std::cout << report.dump() << std::endl;
    else std::printf("network policy %.3f s, fixed actions %.3f s: ratio %.4f; the policy's own calls %.4f s = %.2f%% "
                     "(medians of %d, %lld samples, NFE %.0f vs %.0f)\n",
                     policy_median, fixed_median, policy_median / fixed_median, inside, 100.0 * inside / fixed_median, repeats,
                     static_cast<long long>(request.count), nfe_policy, nfe_fixed);
    return kExitOk;
}

}  // namespace irl::cli
