#include "irl/engine/learning/dxmi/dxmi_bench.h"

#include "irl/engine/core/random.h"
#include "irl/engine/learning/dxmi/energy_check.h"

#include <torch/torch.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <stdexcept>

namespace irl {
namespace {

std::string variant_name(bool fine_tune) { return fine_tune ? "fine-tuned MLP" : "exact denoiser"; }

// The fitted MLP as a new denoiser with its own weights, so that each entropy weight fine-tunes
// the same start.
std::unique_ptr<MlpDenoiser> copy_of(MlpDenoiser& fitted) {
    auto copy = std::make_unique<MlpDenoiser>(fitted.sample_shape().front(), fitted.sigma_data(), fitted.identity(), fitted.width());
    torch::NoGradGuard no_grad;
    const auto from = fitted.network()->named_parameters(), from_buffers = fitted.network()->named_buffers();
    for (auto& p : copy->network()->named_parameters()) p.value().copy_(from[p.key()]);
    for (auto& b : copy->network()->named_buffers()) b.value().copy_(from_buffers[b.key()]);
    return copy;
}

}  // namespace

DxmiBenchResult run_dxmi_bench(const Testbed& test, const Testbed& tuning, const GaussianMixture& mixture, const std::string& toy_name,
                               const DxmiBenchPlan& plan) {
    require_separate_seeds(plan.seeds, test.seeds, "the DxMI bench");
    if (plan.fine_tune.empty()) throw std::invalid_argument("the DxMI bench needs at least one variant");
    auto tell = [&](const std::string& name, const nlohmann::json& row) {
        if (plan.on_row) plan.on_row(name, row);
    };
    DxmiBenchResult result;
    result.nfe = plan.steps;

    // (0) The levels of every run: at zero step noise the sampler is Euler, so it starts from
    // Euler's best schedule at the same NFE on the tuning data. The screen's cost counts in every run's.
    const GridStart start = grid_start(tuning, result.nfe, Solver::Euler);
    const nlohmann::json& chosen = start.best;
    result.start_screen = start.rows;
    result.start_sigmas = start.sigmas;
    const int64_t screen_evaluations = start.evaluations;
    tell("levels chosen on the tuning data (Euler, sigma_max " + chosen["sigma_max"].dump() + ", rho " + chosen["rho"].dump() + ")", chosen);

    // (1) One run per variant and training seed, scored before (its start) and after training.
    for (const bool fine_tune : plan.fine_tune) {
        std::vector<nlohmann::json> rows, start_rows;
        for (const uint64_t seed : plan.seeds) {
            const std::string name = variant_name(fine_tune) + " seed " + std::to_string(seed);
            std::unique_ptr<MlpDenoiser> fitted;
            double fit_seconds = 0.0;
            if (fine_tune) {
                MlpFitOptions fit = plan.fit;
                fit.seed = seed;
                MlpFit result_of_fit = fit_mlp_denoiser(mixture, toy_name, fit, test.cancel);
                fit_seconds = result_of_fit.seconds;
                fitted = std::move(result_of_fit.denoiser);
            }
            at::Generator data_generator = make_generator(424242 + 7919 * seed);
            const torch::Tensor data = mixture.sample(plan.data_count, data_generator).to(torch::kFloat32);
            const std::vector<double> taus = plan.tau1_choices.empty() ? std::vector<double>{plan.dxmi.tau1} : plan.tau1_choices;
            nlohmann::json row, tuning_scores = nlohmann::json::array();
            int64_t spent = screen_evaluations;
            double seconds = fit_seconds, kept_score = std::numeric_limits<double>::infinity();
            for (const double tau1 : taus) {
                std::unique_ptr<MlpDenoiser> mlp = fitted ? copy_of(*fitted) : nullptr;
                Denoiser& denoiser = mlp ? static_cast<Denoiser&>(*mlp) : *test.denoiser;
                DxmiOptions options = plan.dxmi;
                options.sigmas = result.start_sigmas;
                options.seed = seed;
                options.tau1 = tau1;
                options.sampler_file.clear();
                options.energy_file.clear();
                options.run.checkpoint.clear();
                options.run.resume = false;
                DxmiTrainer trainer(denoiser, mlp.get(), data, options);
                auto draw_on = [&denoiser, &trainer](const Testbed& bed) {
                    return [&denoiser, &trainer, count = bed.count, dtype = bed.dtype](uint64_t evaluation_seed) {
                        return sample_few_step(denoiser, trainer.sampler(), count, evaluation_seed, dtype);
                    };
                };
                // The untrained sampler is the same for every entropy weight: scored once.
                if (tau1 == taus.front()) {
                    nlohmann::json start = score_samples(test, draw_on(test), double(result.nfe));
                    start["seed"] = seed;
                    tell("start " + name, start);
                    start_rows.push_back(start);
                }
                TrainingSteering control;
                control.cancel = test.cancel;
                const std::string run = taus.size() > 1 ? name + " tau1 " + std::to_string(tau1) : name;
                const TrainingOutcome outcome = trainer.run(control, [&](const DxmiIteration& it) {
                    if (plan.on_iteration) plan.on_iteration(run, it);
                });
                spent += trainer.total_evaluations();
                seconds += outcome.seconds;
                // With several weights, the one kept is the best on the tuning data; its scoring there is paid for.
                double score = 0.0;
                if (taus.size() > 1) {
                    const nlohmann::json on_tuning = score_samples(tuning, draw_on(tuning), double(result.nfe));
                    spent += on_tuning["evaluations"].get<int64_t>();
                    score = ranked_value(on_tuning, tuning.criteria.front());
                    tuning_scores.push_back({{"tau1", tau1}, {tuning.primary(), on_tuning[tuning.primary()]}});
                }
                if (!row.is_null() && !(score < kept_score)) continue;
                kept_score = score;
                row = score_samples(test, draw_on(test), double(result.nfe));
                row["tau1"] = tau1;
                row["step_noise"] = trainer.last().step_noise;
                row["sigmas"] = trainer.last().sigmas;
                row["iterations"] = trainer.iterations();
                const EnergyRanking ranking = energy_ranking(trainer.energy(), mixture);
                row["energy_spearman_mixture"] = ranking.on_data;
                row["energy_spearman_grid"] = ranking.on_grid;
            }
            row["seed"] = seed;
            row["fine_tuned"] = fine_tune;
            if (taus.size() > 1) row["tau1_on_tuning"] = tuning_scores;
            row["seconds"] = seconds;
            row["fit_seconds"] = fit_seconds;
            row["training_evaluations"] = spent;
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
    result.best_classic = best_rows(result.classic, test.criteria, tell);
    for (size_t i = 0; i < result.pooled.size(); ++i)
        for (size_t c = 0; c < test.criteria.size(); ++c)
            result.verdicts[i][test.criteria[c].key + "_vs_best_classic"] =
                verdict(result.pooled[i], result.best_classic[c], test.criteria[c]).to_json();
    return result;
}

}  // namespace irl
