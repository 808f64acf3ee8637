#include "irl/engine/learning/dxmi/dxmi_bench.h"

#include "irl/engine/core/random.h"

#include <torch/torch.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace irl {
namespace {

std::string variant_name(bool fine_tune) { return fine_tune ? "fine-tuned MLP" : "exact denoiser"; }

}  // namespace

DxmiBenchResult run_dxmi_bench(const Testbed& test, const Testbed& tuning, const GaussianMixture& mixture, const std::string& toy_name,
                               const DxmiBenchPlan& plan) {
    if (plan.seeds.empty()) throw std::invalid_argument("the DxMI bench needs at least one training seed");
    if (plan.fine_tune.empty()) throw std::invalid_argument("the DxMI bench needs at least one variant");
    require_distinct(plan.seeds, "the training seeds");
    require_distinct(test.seeds, "the evaluation seeds");
    for (uint64_t seed : plan.seeds)
        if (std::find(test.seeds.begin(), test.seeds.end(), seed) != test.seeds.end())
            throw std::invalid_argument("training seed " + std::to_string(seed) + " is also an evaluation seed");
    auto tell = [&](const std::string& name, const nlohmann::json& row) {
        if (plan.on_row) plan.on_row(name, row);
    };
    DxmiBenchResult result;
    result.nfe = plan.steps;

    // (0) The levels of every run: at zero step noise the sampler is Euler, so it starts from
    // Euler's best schedule at the same NFE on the tuning data. The screen's cost counts in every run's.
    result.start_screen = classic_grid(tuning, result.nfe, {Solver::Euler});
    int64_t screen_evaluations = 0;
    for (const nlohmann::json& row : result.start_screen) screen_evaluations += row.value("evaluations", int64_t{0});
    const nlohmann::json chosen = best_row(result.start_screen, tuning.criteria.front());
    if (chosen.is_null()) throw std::runtime_error("no Euler schedule of the classic grid has a finite score on the tuning data");
    result.start_sigmas = classic_settings(chosen).sigmas;
    tell("levels chosen on the tuning data (Euler, sigma_max " + chosen["sigma_max"].dump() + ", rho " + chosen["rho"].dump() + ")", chosen);

    // (1) One run per variant and training seed, scored before (its start) and after training.
    for (const bool fine_tune : plan.fine_tune) {
        std::vector<nlohmann::json> rows, start_rows;
        for (const uint64_t seed : plan.seeds) {
            const std::string name = variant_name(fine_tune) + " seed " + std::to_string(seed);
            std::unique_ptr<MlpDenoiser> mlp;
            double fit_seconds = 0.0;
            if (fine_tune) {
                MlpFitOptions fit = plan.fit;
                fit.seed = seed;
                MlpFit fitted = fit_mlp_denoiser(mixture, toy_name, fit, test.cancel);
                fit_seconds = fitted.seconds;
                mlp = std::move(fitted.denoiser);
            }
            Denoiser& denoiser = mlp ? static_cast<Denoiser&>(*mlp) : *test.denoiser;
            at::Generator data_generator = make_generator(424242 + 7919 * seed);
            const torch::Tensor data = mixture.sample(plan.data_count, data_generator).to(torch::kFloat32);
            DxmiOptions options = plan.dxmi;
            options.sigmas = result.start_sigmas;
            options.seed = seed;
            options.sampler_file.clear();
            options.energy_file.clear();
            options.run.checkpoint.clear();
            options.run.resume = false;
            DxmiTrainer trainer(denoiser, mlp.get(), data, options);
            auto draw = [&](uint64_t evaluation_seed) {
                return sample_few_step(denoiser, trainer.sampler(), test.count, evaluation_seed, test.dtype);
            };
            nlohmann::json start = score_samples(test, draw, double(result.nfe));
            start["seed"] = seed;
            tell("start " + name, start);
            start_rows.push_back(start);

            TrainingSteering control;
            control.cancel = test.cancel;
            const TrainingOutcome outcome = trainer.run(control, [&](const DxmiIteration& it) {
                if (plan.on_iteration) plan.on_iteration(name, it);
            });
            nlohmann::json row = score_samples(test, draw, double(result.nfe));
            row["seed"] = seed;
            row["fine_tuned"] = fine_tune;
            row["step_noise"] = trainer.last().step_noise;
            row["sigmas"] = trainer.last().sigmas;
            row["iterations"] = trainer.iterations();
            row["seconds"] = outcome.seconds;
            row["fit_seconds"] = fit_seconds;
            row["training_evaluations"] = trainer.total_evaluations() + screen_evaluations;
            tell("learned " + name, row);
            result.learned.push_back(row);
            rows.push_back(row);
        }
        nlohmann::json pooled = pool_rows(rows), start = pool_rows(start_rows);
        pooled["fine_tuned"] = start["fine_tuned"] = fine_tune;
        pooled["training_seeds"] = start["training_seeds"] = plan.seeds;
        if (plan.seeds.size() > 1) {
            tell("start " + variant_name(fine_tune) + " over every seed", start);
            tell("learned " + variant_name(fine_tune) + " over every seed", pooled);
        }
        result.pooled.push_back(pooled);
        result.starts.push_back(start);
    }
    for (size_t i = 0; i < result.pooled.size(); ++i) {
        nlohmann::json v = {{"fine_tuned", result.pooled[i]["fine_tuned"]}, {"training_seeds", plan.seeds}};
        for (const Criterion& criterion : test.criteria)
            v[criterion.key + "_over_start"] = verdict(result.pooled[i], result.starts[i], criterion).to_json();
        result.verdicts.push_back(v);
    }
    if (!plan.baselines) return result;

    // (2) Every classic solver at the same NFE, screened; the best on the evaluation seeds is the baseline.
    result.classic = classic_grid(test, result.nfe, classic_solvers(), plan.screening);
    for (const Criterion& criterion : test.criteria) {
        const nlohmann::json best = best_row(result.classic, criterion);
        tell("best classic by " + criterion.key, best);
        result.best_classic.push_back(best);
    }
    for (size_t i = 0; i < result.pooled.size(); ++i)
        for (size_t c = 0; c < test.criteria.size(); ++c)
            result.verdicts[i][test.criteria[c].key + "_vs_best_classic"] =
                verdict(result.pooled[i], result.best_classic[c], test.criteria[c]).to_json();
    return result;
}

}  // namespace irl
