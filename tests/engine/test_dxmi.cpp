// DxMI's pieces against what is known exactly on the toys: the MLP denoiser fitted to ring8 agrees
// with the exact mixture denoiser (its posterior mean) and samples the data, and the few-step
// sampler with learnable noise is Euler ancestral itself at full noise, with its noise and its
// gradient where they are defined; the EBM loss, the step costs, the TD target and beta_t on a
// hand-computed case, and an energy trained by that loss that really separates data from samples;
// the trainer on the one driver resumes exactly (N + N iterations equal 2N) and refuses a
// checkpoint of another setup, naming it; its sampler and energy files load back to the same samples
// and energies, warn for another step count or model, and are refused, named, when damaged; the
// claim bench scores every run and its start on the same evaluation seeds, on Euler's levels chosen
// on the tuning data, and refuses a training seed that is an evaluation seed.
#include "irl/engine/core/random.h"
#include "irl/engine/data/toy_mixtures.h"
#include "irl/engine/learning/dxmi/dxmi_bench.h"
#include "irl/engine/learning/dxmi/dxmi_files.h"
#include "irl/engine/learning/dxmi/energy_check.h"
#include "irl/engine/learning/dxmi/dxmi_trainer.h"
#include "irl/engine/learning/dxmi/energy_value.h"
#include "irl/engine/learning/dxmi/few_step_sampler.h"
#include "irl/engine/learning/dxmi/toy_denoiser_fit.h"
#include "irl/engine/learning/irl/sampler_comparison.h"
#include "irl/engine/metrics/rank_correlation.h"
#include "irl/engine/models/gaussian_mixture_denoiser.h"
#include "irl/engine/sampling/sampler.h"
#include "irl/engine/sampling/schedule.h"
#include "test_registry.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <cmath>
#include <functional>
#include <nlohmann/json.hpp>

using namespace irl;

class TestDxmi : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void mlpFitDenoisesLikeTheExactDenoiser();
    void fewStepSamplerAtFullNoiseIsEulerAncestral();
    void lossesAndTargetsOnAHandComputedCase();
    void energySeparatesDataFromSamples();
    void spearmanOnHandComputedCases();
    void trainerResumesExactly();
    void filesLoadBackAndBadFilesAreRefused();
    void benchScoresEveryRunOnTheSameSeeds();
    void learnedLevelsMoveAndStayOrdered();
    void noisedNegativesRaiseTheEnergyAwayFromTheData();
};

// The fitted MLP's error against the exact posterior mean, as a share of the exact denoiser's own
// (irreducible) error against the clean points, at every noise level a sampler visits.
void TestDxmi::mlpFitDenoisesLikeTheExactDenoiser() {
    GaussianMixtureDenoiser exact(make_toy_mixture("ring8"), "toy:ring8");
    MlpFitOptions options;
    const MlpFit fit = fit_mlp_denoiser(exact.mixture(), "ring8", options);
    QVERIFY(std::isfinite(fit.loss));
    at::Generator g = make_generator(99);
    const torch::Tensor clean = exact.mixture().sample(4000, g);
    const torch::Tensor none = torch::full({4000}, kUnconditional);
    for (double level : {0.02, 0.1, 0.5, 2.0, 10.0}) {
        const torch::Tensor sigma = torch::full({4000}, level, torch::kFloat64);
        const torch::Tensor noisy = clean + level * standard_normal(clean.sizes(), g, torch::kFloat64);
        const torch::Tensor truth = exact.denoise(noisy, sigma, none);
        const double irreducible = (truth - clean).square().mean().item<double>();
        const double error = (fit.denoiser->denoise(noisy, sigma, none) - truth).square().mean().item<double>();
        qInfo("sigma %.2f: fitted error %.3g of the irreducible %.3g", level, error, irreducible);
        QVERIFY2(error < 0.1 * irreducible, qPrintable(QString("sigma %1: %2 vs %3").arg(level).arg(error).arg(irreducible)));
    }
    // And it samples the data: Heun at 35 NFE from the fit against fresh true samples.
    SamplerSettings heun;
    heun.solver = Solver::Heun;
    heun.sigmas = karras_schedule(18, 0.002, 10.0, 7.0);
    SampleRequest request;
    request.count = 2000;
    request.seed = 5;
    request.dtype = torch::kFloat64;
    const double fitted = toy_mmd_squared(sample(*fit.denoiser, heun, request).samples, clean.narrow(0, 0, 2000));
    const double reference = toy_mmd_squared(sample(exact, heun, request).samples, clean.narrow(0, 0, 2000));
    qInfo("MMD^2 at 35 NFE: fitted %.3g, exact %.3g", fitted, reference);
    QVERIFY(fitted < reference + 0.002);
}

void TestDxmi::fewStepSamplerAtFullNoiseIsEulerAncestral() {
    GaussianMixtureDenoiser exact(make_toy_mixture("ring8"), "toy:ring8");
    const std::vector<double> sigmas = karras_schedule(4, 0.002, 2.0, 3.0);
    FewStepSampler ancestral(sigmas, 1.0, 0.0);
    SamplerSettings settings;
    settings.solver = Solver::EulerAncestral;
    settings.sigmas = sigmas;
    SampleRequest request;
    request.count = 256;
    request.seed = 5;
    request.dtype = torch::kFloat64;
    const torch::Tensor classic = sample(exact, settings, request).samples;
    QVERIFY(torch::allclose(sample_few_step(exact, ancestral, 256, 5, torch::kFloat64), classic, 1e-9, 1e-9));

    // At a fraction of the ancestral noise: s_t = fraction sigma_up, the last one fixed.
    FewStepSampler quieter(sigmas, 0.3, 0.002);
    const torch::Tensor s = quieter->step_noise();
    QCOMPARE(s.size(0), int64_t(4));
    for (size_t t = 0; t + 2 < sigmas.size(); ++t) {
        const double up = sigmas[t + 1] * std::sqrt(1.0 - std::pow(sigmas[t + 1] / sigmas[t], 2.0));
        QVERIFY(std::abs(s[static_cast<int64_t>(t)].item<double>() - 0.3 * up) < 1e-9 * up);
    }
    QCOMPARE(s[3].item<double>(), 0.002);
    s.sum().backward();
    QVERIFY(quieter->noise_logits.grad().defined());
    QVERIFY((quieter->noise_logits.grad().abs() > 0).all().item<bool>());
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, FewStepSampler(std::vector<double>{1.0, 2.0, 0.0}));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, FewStepSampler(std::vector<double>{1.0, 0.5}));
}

void TestDxmi::lossesAndTargetsOnAHandComputedCase() {
    // E(data) = 1, 3 and E(samples) = -2, 0: means 2 and -1, mean squares 5 and 2.
    const torch::Tensor data = torch::tensor({1.0, 3.0}, torch::kFloat64), samples = torch::tensor({-2.0, 0.0}, torch::kFloat64);
    QCOMPARE(energy_loss(data, samples).item<double>(), 3.0 + 7.0);
    QCOMPARE(energy_loss(data, samples, 0.5).item<double>(), 3.0 + 3.5);
    // Steps of squared length 25 and 1 with beta 5, s = 0.5: 0.01 * 25 / 10 + 0.1 log 2, 0.01 / 10 + 0.1 log 2.
    const torch::Tensor x = torch::tensor({0.0, 0.0, 1.0, 1.0}, torch::kFloat64).reshape({2, 2});
    const torch::Tensor x_next = torch::tensor({3.0, 4.0, 1.0, 2.0}, torch::kFloat64).reshape({2, 2});
    const torch::Tensor log_s = torch::tensor(std::log(0.5), torch::kFloat64);
    const torch::Tensor cost = step_cost(x, x_next, 5.0, log_s, 0.1, 0.01);
    QVERIFY(std::abs(cost[0].item<double>() - (0.025 + 0.1 * std::log(2.0))) < 1e-12);
    QVERIFY(std::abs(cost[1].item<double>() - (0.001 + 0.1 * std::log(2.0))) < 1e-12);
    const torch::Tensor next_value = torch::tensor({1.0, -1.0}, torch::dtype(torch::kFloat64).requires_grad(true));
    const torch::Tensor target = td_target(next_value, x, x_next, 5.0, log_s, 0.1, 0.01);
    QVERIFY(!target.requires_grad());  // the target is a constant: sg[V(x_{t+1}, t+1)]
    QVERIFY(torch::allclose(target, torch::tensor({1.0, -1.0}, torch::kFloat64) + cost, 0.0, 1e-12));
    // beta_t: the first mean squared step (13), then 0.99 * 13 + 0.01 * 1.
    StepScale beta;
    beta.observe(x, x_next);
    QCOMPARE(beta.value, 13.0);
    beta.observe(x, x + torch::tensor({1.0, 0.0}, torch::kFloat64));
    QVERIFY(std::abs(beta.value - 12.88) < 1e-12);
}

// Trained by the EBM loss on ring8 against points from a broad Gaussian, the energy is lower on
// held-out data than on held-out Gaussian points for nearly every pair.
void TestDxmi::energySeparatesDataFromSamples() {
    GaussianMixtureDenoiser exact(make_toy_mixture("ring8"), "toy:ring8");
    at::Generator g = make_generator(17);
    EnergyNet energy(2, 64, 3);
    torch::optim::Adam optimizer(energy->parameters(), torch::optim::AdamOptions(1e-3));
    for (int step = 0; step < 300; ++step) {
        const torch::Tensor data = exact.mixture().sample(256, g);
        const torch::Tensor other = 1.5 * standard_normal({256, 2}, g, torch::kFloat64);
        const torch::Tensor loss = energy_loss(energy(data), energy(other));
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
    }
    torch::NoGradGuard no_grad;
    const torch::Tensor data = energy(exact.mixture().sample(2000, g)), other = energy(1.5 * standard_normal({2000, 2}, g, torch::kFloat64));
    const double separated = (data.unsqueeze(1) < other.unsqueeze(0)).to(torch::kFloat64).mean().item<double>();
    qInfo("P(E(data) < E(other)) = %.3f", separated);
    QVERIFY(separated > 0.8);
    // Its ranking of points against the exact log density (reported, as the claim bench does):
    // over the widened grid it must at least follow the density's direction.
    const EnergyRanking ranking = energy_ranking(energy, exact.mixture());
    qInfo("Spearman(-E, log p): %.3f on mixture points, %.3f on the grid", ranking.on_data, ranking.on_grid);
    QVERIFY(std::isfinite(ranking.on_data) && ranking.on_grid > 0.5);
}

// Spearman's correlation on hand-computed cases: monotone, reversed, and with a tie (mean ranks).
void TestDxmi::spearmanOnHandComputedCases() {
    const torch::Tensor a = torch::tensor({1.0, 2.0, 3.0, 4.0}, torch::kFloat64);
    QCOMPARE(spearman_correlation(a, torch::tensor({10.0, 20.0, 35.0, 100.0}, torch::kFloat64)), 1.0);
    QCOMPARE(spearman_correlation(a, -a.exp()), -1.0);
    const double tied = spearman_correlation(torch::tensor({1.0, 1.0, 2.0}), torch::tensor({1.0, 2.0, 3.0}));
    QVERIFY(std::abs(tied - 1.5 / std::sqrt(3.0)) < 1e-12);
    QVERIFY(std::isnan(spearman_correlation(torch::ones({3}), a.narrow(0, 0, 3))));
}

void TestDxmi::trainerResumesExactly() {
    QTemporaryDir dir;
    const GaussianMixture ring = make_toy_mixture("ring8");
    at::Generator g = make_generator(4);
    const torch::Tensor data = ring.sample(2000, g);
    auto options_for = [&](const std::string& name) {
        DxmiOptions o;
        o.sigmas = karras_schedule(4, 0.002, 2.0, 3.0);
        o.batch = 64;
        o.width = 32;
        o.run.iterations = 4;
        o.run.checkpoint = dir.path().toStdString() + "/" + name + ".ckpt";
        return o;
    };
    // The untrained MLP's weights are fine-tuned too: they must resume as exactly as the rest.
    auto parameters = [](DxmiTrainer& trainer, MlpDenoiser& mlp) {
        std::vector<torch::Tensor> all;
        for (auto* module : std::initializer_list<torch::nn::Module*>{trainer.sampler().get(), trainer.energy().get(), mlp.network().get()})
            for (const torch::Tensor& p : module->parameters()) all.push_back(p.detach().clone());
        return all;
    };
    MlpDenoiser straight_mlp(2, 0.5, "mlp:test", 32, 1);
    DxmiTrainer straight(straight_mlp, &straight_mlp, data, options_for("straight"));
    straight.run();
    QCOMPARE(straight.iterations(), int64_t(4));
    QCOMPARE(straight.total_evaluations(), int64_t(4 * 2 * 4 * 64));
    QVERIFY(std::isfinite(straight.last().sampler_loss) && std::isfinite(straight.last().value_loss));

    DxmiOptions resumable = options_for("resumed");
    resumable.run.resume = true;
    MlpDenoiser first_mlp(2, 0.5, "mlp:test", 32, 1);
    DxmiTrainer first(first_mlp, &first_mlp, data, resumable);
    TrainingSteering stop_at_two;
    stop_at_two.stop = [&] { return first.iterations() >= 2; };
    first.run(stop_at_two);
    QCOMPARE(first.iterations(), int64_t(2));
    MlpDenoiser second_mlp(2, 0.5, "mlp:test", 32, 1);
    DxmiTrainer second(second_mlp, &second_mlp, data, resumable);
    QCOMPARE(second.iterations(), int64_t(2));
    second.run();
    const std::vector<torch::Tensor> a = parameters(straight, straight_mlp), b = parameters(second, second_mlp);
    QCOMPARE(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) QVERIFY2(torch::equal(a[i], b[i]), qPrintable(QString("parameter %1").arg(i)));

    // Another batch is another setup: refused, the file named.
    DxmiOptions other = resumable;
    other.batch = 32;
    MlpDenoiser third_mlp(2, 0.5, "mlp:test", 32, 1);
    try {
        DxmiTrainer refused(third_mlp, &third_mlp, data, other);
        QFAIL("a checkpoint of another batch was resumed");
    } catch (const std::runtime_error& e) {
        QVERIFY2(QString(e.what()).contains(QString::fromStdString(resumable.run.checkpoint)), e.what());
    }
}

namespace {

void expect_refused(const std::function<void()>& load, const std::string& path, const char* what) {
    try {
        load();
        QFAIL(qPrintable(QString("a %1 was loaded").arg(what)));
    } catch (const std::runtime_error& e) {
        QVERIFY2(QString(e.what()).contains(QString::fromStdString(path)), e.what());
    }
}

void flip_a_byte(const std::string& path) {
    QFile file(QString::fromStdString(path));
    QVERIFY(file.open(QIODevice::ReadWrite));
    QByteArray bytes = file.readAll();
    bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x5a);
    file.seek(0);
    file.write(bytes);
}

}  // namespace

void TestDxmi::filesLoadBackAndBadFilesAreRefused() {
    QTemporaryDir dir;
    const std::string folder = dir.path().toStdString();
    const GaussianMixture ring = make_toy_mixture("ring8");
    at::Generator g = make_generator(5);
    DxmiOptions o;
    o.sigmas = karras_schedule(4, 0.002, 2.0, 3.0);
    o.batch = 64;
    o.width = 32;
    o.noise_lr = 0.05;  // so that s_t move away from where a fresh sampler starts them
    o.run.iterations = 3;
    o.run.checkpoint = folder + "/run.ckpt";
    o.run.checkpoint_every = 3;
    o.sampler_file = folder + "/run.dxmi";
    o.energy_file = folder + "/run.energy";
    MlpDenoiser mlp(2, 0.5, "mlp:test", 32, 1);
    DxmiTrainer trainer(mlp, &mlp, ring.sample(1000, g), o);
    trainer.run();

    // The sampler file: the fine-tuned weights and the learned s_t sample exactly as the trainer's.
    const DxmiSamplerFile file = load_dxmi_sampler(o.sampler_file);
    QCOMPARE(file.steps(), int64_t(4));
    QVERIFY(file.denoiser != nullptr);
    QCOMPARE(file.source_model, std::string("mlp:test"));
    QVERIFY(torch::equal(file.sampler->step_noise(), trainer.sampler()->step_noise()));
    const FewStepSampler fresh(o.sigmas, o.noise_fraction, o.last_noise);
    QVERIFY(!torch::equal(file.sampler->step_noise(), fresh->step_noise()));
    QVERIFY(torch::equal(sample_few_step(*file.denoiser, file.sampler, 200, 9), sample_few_step(mlp, trainer.sampler(), 200, 9)));
    QCOMPARE(nlohmann::json::parse(file.facts_json)["iterations"].get<int64_t>(), int64_t(3));
    QVERIFY(dxmi_steps_mismatch(file, 4).empty());
    const std::string steps_warning = dxmi_steps_mismatch(file, 6);
    QVERIFY2(steps_warning.find("trained for 4 steps") != std::string::npos, steps_warning.c_str());
    QVERIFY(dxmi_model_mismatch(file, mlp).empty());
    GaussianMixtureDenoiser other(make_toy_mixture("grid25"), "toy:grid25");
    QVERIFY(!dxmi_model_mismatch(file, other).empty());

    // The energy file: the same energies.
    EnergyFile energy = load_energy(o.energy_file);
    QCOMPARE(energy.dimension, int64_t(2));
    const torch::Tensor points = ring.sample(100, g);
    {
        torch::NoGradGuard no_grad;
        QVERIFY(torch::equal(energy.energy(points), trainer.energy()(points)));
    }

    // One file for the other, and damaged files (sampler, energy, checkpoint): refused, named.
    expect_refused([&] { load_energy(o.sampler_file); }, o.sampler_file, "sampler file as an energy");
    expect_refused([&] { load_dxmi_sampler(o.energy_file); }, o.energy_file, "energy file as a sampler");
    for (const std::string& path : {o.sampler_file, o.energy_file, o.run.checkpoint}) flip_a_byte(path);
    expect_refused([&] { load_dxmi_sampler(o.sampler_file); }, o.sampler_file, "damaged sampler file");
    expect_refused([&] { load_energy(o.energy_file); }, o.energy_file, "damaged energy file");
    DxmiOptions resume = o;
    resume.run.resume = true;
    MlpDenoiser again(2, 0.5, "mlp:test", 32, 1);
    expect_refused([&] { DxmiTrainer refused(again, &again, ring.sample(1000, g), resume); }, o.run.checkpoint, "damaged checkpoint");
}

void TestDxmi::benchScoresEveryRunOnTheSameSeeds() {
    const GaussianMixture ring = make_toy_mixture("ring8");
    GaussianMixtureDenoiser exact(ring, "toy:ring8");
    at::Generator g = make_generator(6);
    const Testbed test = toy_testbed(exact, ring, ring.sample(300, g), {1000003, 1000004});
    const Testbed tuning = toy_testbed(exact, ring, ring.sample(300, g), {31337});
    DxmiBenchPlan plan;
    plan.steps = 3;
    plan.seeds = {0, 1};
    plan.fine_tune = {false};
    plan.data_count = 2000;
    plan.dxmi.batch = 32;
    plan.dxmi.width = 16;
    plan.dxmi.run.iterations = 2;
    plan.tau1_choices = {0.1, 0.001};
    const DxmiBenchResult r = run_dxmi_bench(test, tuning, ring, "ring8", plan);
    // The levels are Euler's best on the tuning data at 3 NFE.
    const nlohmann::json chosen = best_row(r.start_screen, tuning.criteria.front());
    QVERIFY(r.start_sigmas == classic_settings(chosen).sigmas);
    QCOMPARE(r.start_sigmas.size(), size_t(4));
    QCOMPARE(r.learned.size(), size_t(2));
    for (const nlohmann::json& row : r.learned) {
        QCOMPARE(row["seeds"].get<int>(), 2);
        QCOMPARE(row["nfe"].get<double>(), 3.0);
        QCOMPARE(row["iterations"].get<int>(), 2);
        // One sampler per entropy weight, the one kept the best on the tuning data.
        const nlohmann::json& scores = row["tau1_on_tuning"];
        QCOMPARE(scores.size(), size_t(2));
        const size_t best = scores[0]["mmd2"].get<double>() <= scores[1]["mmd2"].get<double>() ? 0 : 1;
        QCOMPARE(row["tau1"].get<double>(), scores[best]["tau1"].get<double>());
        QVERIFY(row["training_evaluations"].get<int64_t>() > 2 * 2 * 2 * 3 * 32);
    }
    QCOMPARE(r.pooled[0]["seeds"].get<int>(), 4);
    QCOMPARE(r.starts[0]["seeds"].get<int>(), 4);
    QCOMPARE(r.best_classic.size(), size_t(2));
    for (const char* key : {"mmd2_over_start", "mmd2_vs_best_classic", "log_density_gap_over_start", "log_density_gap_vs_best_classic"})
        QVERIFY2(r.verdicts[0].contains(key), key);
    // The best classic is the grid's best by MMD^2 on these evaluation seeds.
    QCOMPARE(r.best_classic[0]["mmd2"].get<double>(), best_row(r.classic, test.criteria[0])["mmd2"].get<double>());

    plan.seeds = {1000004};
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, run_dxmi_bench(test, tuning, ring, "ring8", plan));
}

// With learned levels the sampler starts exactly at the given levels, the inner ones get gradients
// through the exact denoiser, training moves them and keeps them strictly descending between the
// fixed first and last, and the sampler file holds them as fixed levels that sample the same.
void TestDxmi::learnedLevelsMoveAndStayOrdered() {
    const std::vector<double> start = karras_schedule(4, 0.002, 5.0, 3.0);
    const FewStepSampler sampler(start, 0.3, 0.002, true);
    QVERIFY(sampler->learns_levels());
    for (size_t i = 0; i < start.size(); ++i) QVERIFY(std::abs(sampler->sigmas()[i] - start[i]) <= 1e-12 * std::max(1.0, start[i]));
    QVERIFY(!FewStepSampler(karras_schedule(2, 0.002, 5.0, 3.0), 0.3, 0.002, true)->learns_levels());  // nothing between

    QTemporaryDir dir;
    const GaussianMixture ring = make_toy_mixture("ring8");
    GaussianMixtureDenoiser exact(ring, "toy:ring8");
    at::Generator g = make_generator(8);
    DxmiOptions o;
    o.sigmas = start;
    o.learn_levels = true;
    o.level_lr = 0.2;
    o.batch = 64;
    o.width = 16;
    o.run.iterations = 3;
    o.sampler_file = dir.path().toStdString() + "/levels.dxmi";
    DxmiTrainer trainer(exact, nullptr, ring.sample(1000, g), o);
    trainer.run();
    const std::vector<double> learned = trainer.last().sigmas;
    QCOMPARE(learned.size(), start.size());
    QCOMPARE(learned.front(), start.front());
    QVERIFY(std::abs(learned[3] - start[3]) <= 1e-12);
    QCOMPARE(learned.back(), 0.0);
    // Moved by training, not by rounding: against the untrained sampler's own levels.
    const std::vector<double> untrained = FewStepSampler(start, 0.3, 0.002, true)->sigmas();
    QVERIFY(std::abs(learned[1] / untrained[1] - 1.0) > 1e-6 && std::abs(learned[2] / untrained[2] - 1.0) > 1e-6);
    for (size_t i = 0; i + 1 < learned.size(); ++i) QVERIFY(learned[i] > learned[i + 1]);

    const DxmiSamplerFile file = load_dxmi_sampler(o.sampler_file);
    QVERIFY(!file.sampler->learns_levels());
    QVERIFY(torch::allclose(file.sampler->step_noise(), trainer.sampler()->step_noise(), 1e-12, 0.0));
    QVERIFY(torch::allclose(sample_few_step(exact, file.sampler, 200, 9, torch::kFloat64),
                            sample_few_step(exact, trainer.sampler(), 200, 9, torch::kFloat64), 1e-9, 1e-12));
}

// The energy's negatives: with the sampler's final samples alone, nothing holds the energy up away
// from the data (it is lowest there, docs/dxmi.md); with data noised at the sampler's levels as
// well, points far from the ring get a higher energy than the data. The noised points cost no
// denoiser calls, and a checkpoint of one kind does not resume as the other.
void TestDxmi::noisedNegativesRaiseTheEnergyAwayFromTheData() {
    QTemporaryDir dir;
    const GaussianMixture ring = make_toy_mixture("ring8");
    GaussianMixtureDenoiser exact(ring, "toy:ring8");
    at::Generator g = make_generator(12);
    const torch::Tensor data = ring.sample(2000, g);
    auto options_for = [&](bool noised) {
        DxmiOptions o;
        o.sigmas = karras_schedule(4, 0.002, 5.0, 3.0);
        o.batch = 128;
        o.width = 32;
        o.run.iterations = 150;
        o.run.checkpoint_every = 50;
        o.noised_negatives = noised;
        o.run.checkpoint = dir.path().toStdString() + (noised ? "/noised.ckpt" : "/plain.ckpt");
        return o;
    };
    const torch::Tensor held_out = ring.sample(1000, g);
    const torch::Tensor far = held_out + 4.0 * standard_normal(held_out.sizes(), g, torch::kFloat64);
    auto higher_far = [&](DxmiTrainer& trainer) {
        torch::NoGradGuard no_grad;
        const torch::Tensor on_data = trainer.energy()(held_out), away = trainer.energy()(far);
        return (on_data.unsqueeze(1) < away.unsqueeze(0)).to(torch::kFloat64).mean().item<double>();
    };
    DxmiTrainer plain(exact, nullptr, data, options_for(false));
    plain.run();
    DxmiTrainer noised(exact, nullptr, data, options_for(true));
    noised.run();
    const double p_plain = higher_far(plain), p_noised = higher_far(noised);
    qInfo("P(E(data) < E(far from the ring)): %.3f with the samples alone, %.3f with noised data too", p_plain, p_noised);
    QVERIFY2(p_noised > 0.75, qPrintable(QString::number(p_noised)));
    QVERIFY2(p_noised > p_plain + 0.5, qPrintable(QString("%1 against %2").arg(p_noised).arg(p_plain)));
    QCOMPARE(noised.total_evaluations(), plain.total_evaluations());

    DxmiOptions other = options_for(true);
    other.run.checkpoint = options_for(false).run.checkpoint;
    other.run.resume = true;
    try {
        DxmiTrainer refused(exact, nullptr, data, other);
        QFAIL("a checkpoint trained against the samples alone was resumed with noised negatives");
    } catch (const std::runtime_error& e) {
        QVERIFY2(QString(e.what()).contains(QString::fromStdString(other.run.checkpoint)), e.what());
    }
}

IRL_TEST_CLASS("test_dxmi", TestDxmi)
#include "test_dxmi.moc"
