// The learned schedule's parameters and the solver run through them, on the exact toy denoisers
// in float64: the parameters give back the list they start from; the run is the sampler's own
// Euler, Heun and DPM-Solver++(2M) (the same numbers as irl::sample on that list and its query
// levels); the gradient of
// a loss through the run, in the levels and the query shifts, is the central difference of that
// loss; the fit to a teacher repairs a bad schedule and resumes from its checkpoint exactly.
#include "irl/engine/data/toy_mixtures.h"
#include "irl/engine/learning/schedule_fit/differentiable_schedule.h"
#include "irl/engine/learning/schedule_fit/feature_distance.h"
#include "irl/engine/learning/schedule_fit/schedule_bench.h"
#include "irl/engine/learning/schedule_fit/schedule_fit.h"
#include "irl/engine/core/random.h"
#include "irl/engine/core/resources.h"
#include "irl/engine/models/gaussian_mixture_denoiser.h"
#include "irl/engine/models/unet_denoiser.h"
#include "irl/engine/sampling/learned_schedule_file.h"
#include "irl/engine/sampling/sampler.h"
#include "irl/engine/sampling/schedule.h"
#include "test_registry.h"

#include <QTemporaryDir>
#include <fstream>
#include <limits>
#include <iterator>
#include <QtTest/QtTest>
#include <torch/torch.h>

using namespace irl;

class TestScheduleFit : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parametersGiveBackTheirList();
    void evaluationsAndLevels();
    void runIsTheSamplers_data();
    void runIsTheSamplers();
    void gradientIsTheCentralDifference_data();
    void gradientIsTheCentralDifference();
    void fitImprovesABadSchedule();
    void fixedSigmaMaxMovesOnlyTheLevelsBelow();
    void keepByAScoreKeepsWhatTheScorePrefers();
    void featureDistanceReplacesPixels();
    void resumeContinuesExactly();
    void scheduleFileRoundTripAndChecks();
    void fitOnTheBundledUnet();
    void benchScoresEveryVariantOnTheSameSeeds();
    void benchRowsResumeFromTheirFolder();
};

void TestScheduleFit::parametersGiveBackTheirList() {
    const std::vector<double> karras = karras_schedule(6);
    const DifferentiableSchedule schedule = DifferentiableSchedule::from_sigmas(karras, false);
    QCOMPARE(schedule.levels(), int64_t(6));
    const std::vector<double> got = schedule.sigma_list();
    QCOMPARE(got.size(), karras.size());
    for (size_t i = 0; i < got.size(); ++i) QVERIFY2(std::abs(got[i] - karras[i]) <= 1e-9 * karras[i], qPrintable(QString::number(i)));
    QCOMPARE(schedule.query_list(), std::vector<double>(got.begin(), got.end() - 1));
    QCOMPARE(schedule.parameters().size(), size_t(2));
    QCOMPARE(DifferentiableSchedule::from_sigmas(karras, true).parameters().size(), size_t(3));
    // Parameter values away from the start (as far as Adam moves them) give a strictly descending
    // list above the floor. (Mathematically any values do; numerically, a span past e^6 overflows.)
    DifferentiableSchedule moved = schedule;
    torch::manual_seed(11);
    moved.load_state(schedule.state() + torch::randn({13}, torch::kFloat64));
    const std::vector<double> levels = moved.sigma_list();
    for (size_t i = 0; i + 2 < levels.size(); ++i) QVERIFY(levels[i] > levels[i + 1]);
    QVERIFY(levels[levels.size() - 2] > moved.floor());
    QCOMPARE(levels.back(), 0.0);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, moved.load_state(torch::zeros({12}, torch::kFloat64)));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, DifferentiableSchedule::from_sigmas({5.0, 5.0, 1.0}, false));
}

void TestScheduleFit::evaluationsAndLevels() {
    QCOMPARE(schedule_fit_levels(Solver::DpmSolver2M, 5), int64_t(5));
    QCOMPARE(schedule_fit_levels(Solver::Euler, 4), int64_t(4));
    QCOMPARE(schedule_fit_levels(Solver::Heun, 5), int64_t(3));
    QCOMPARE(schedule_fit_nfe(Solver::Heun, 18), int64_t(35));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, schedule_fit_levels(Solver::Heun, 4));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, schedule_fit_levels(Solver::EulerAncestral, 5));
}

void TestScheduleFit::runIsTheSamplers_data() {
    QTest::addColumn<int>("solver");
    QTest::newRow("euler") << int(Solver::Euler);
    QTest::newRow("heun") << int(Solver::Heun);
    QTest::newRow("dpmpp-2m") << int(Solver::DpmSolver2M);
}

void TestScheduleFit::runIsTheSamplers() {
    QFETCH(int, solver);
    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"));
    const std::vector<double> list = {30.0, 6.0, 1.5, 0.4, 0.05, 0.0};
    // With query shifts: irl::sample honours SamplerSettings::query_sigmas the same way.
    DifferentiableSchedule schedule = DifferentiableSchedule::from_sigmas(list, true);
    torch::manual_seed(4);
    torch::Tensor state = schedule.state();
    state.narrow(0, 1 + schedule.levels(), schedule.levels()).copy_(0.3 * torch::randn({schedule.levels()}, torch::kFloat64));
    schedule.load_state(state);
    const int64_t count = 64;
    const torch::Tensor start = torch::randn({count, 2}, torch::kFloat64) * list.front();
    const torch::Tensor labels = torch::full({count}, kUnconditional, torch::kInt64);
    torch::Tensor ours;
    {
        torch::NoGradGuard no_grad;
        ours = solve_with_gradients(denoiser, Solver(solver), schedule.sigmas(), schedule.query_sigmas(), start, labels);
    }
    SamplerSettings settings;
    settings.solver = Solver(solver);
    settings.sigmas = schedule.sigma_list();
    settings.query_sigmas = schedule.query_list();
    SampleRequest request;
    request.count = count;
    request.dtype = torch::kFloat64;
    request.initial = start;
    const SampleResult theirs = sample(denoiser, settings, request);
    const double difference = (ours - theirs.samples).abs().max().item<double>();
    QVERIFY2(difference < 1e-9, qPrintable(QString::number(difference)));
    QCOMPARE(theirs.nfe, double(schedule_fit_nfe(Solver(solver), schedule.levels())));
}

void TestScheduleFit::gradientIsTheCentralDifference_data() { runIsTheSamplers_data(); }

// loss(parameters) = mean |run(parameters) - target|^2 over a few samples; its autograd gradient in
// every raw parameter (span, level shares, query shifts) against (loss(p + h e) - loss(p - h e)) / 2h.
void TestScheduleFit::gradientIsTheCentralDifference() {
    QFETCH(int, solver);
    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"));
    DifferentiableSchedule schedule = DifferentiableSchedule::from_sigmas({20.0, 3.0, 0.7, 0.1, 0.0}, true);
    // Away from the starting point, so that shifts and shares are all in play.
    torch::manual_seed(5);
    const torch::Tensor base = schedule.state() + 0.1 * torch::randn({schedule.state().size(0)}, torch::kFloat64);
    schedule.load_state(base);
    const int64_t count = 16;
    const torch::Tensor noise = torch::randn({count, 2}, torch::kFloat64);
    const torch::Tensor target = torch::randn({count, 2}, torch::kFloat64);
    const torch::Tensor labels = torch::full({count}, kUnconditional, torch::kInt64);
    auto loss = [&](const DifferentiableSchedule& s) {
        const torch::Tensor sigmas = s.sigmas();
        const torch::Tensor x = solve_with_gradients(denoiser, Solver(solver), sigmas, s.query_sigmas(), noise * sigmas[0], labels);
        return (x - target).square().sum(1).mean();
    };
    const std::vector<torch::Tensor> parameters = schedule.parameters();
    const std::vector<torch::Tensor> grads = torch::autograd::grad({loss(schedule)}, parameters);
    std::vector<torch::Tensor> flat;
    for (const torch::Tensor& g : grads) flat.push_back(g.reshape({-1}));
    const torch::Tensor analytic = torch::cat(flat);
    QCOMPARE(analytic.size(0), base.size(0));
    const double h = 1e-6;
    double worst = 0.0;
    for (int64_t i = 0; i < base.size(0); ++i) {
        torch::NoGradGuard no_grad;
        DifferentiableSchedule up = schedule, down = schedule;
        torch::Tensor plus = base.clone(), minus = base.clone();
        plus[i] += h;
        minus[i] -= h;
        up.load_state(plus);
        const double l_plus = loss(up).item<double>();
        down.load_state(minus);
        const double l_minus = loss(down).item<double>();
        const double numeric = (l_plus - l_minus) / (2 * h);
        const double a = analytic[i].item<double>();
        const double error = std::abs(numeric - a) / std::max(1e-3, std::abs(numeric));
        worst = std::max(worst, error);
        QVERIFY2(error < 1e-4, qPrintable(QString("parameter %1: autograd %2, central difference %3").arg(i).arg(a).arg(numeric)));
    }
    qInfo("largest relative difference %.3g over %d parameters", worst, int(base.size(0)));
    QVERIFY(analytic.abs().max().item<double>() > 1e-6);
}

namespace {

// A fit on ring8 at 4 NFE from a deliberately bad warm start: all levels crowded near sigma_max.
ScheduleFitOptions crowded_start(int64_t pairs, int64_t iterations) {
    ScheduleFitOptions options;
    options.solver = Solver::DpmSolver2M;
    options.nfe = 4;
    options.pairs = pairs;
    options.validation_pairs = pairs / 2;
    options.batch = pairs / 2;
    options.learning_rate = 0.05;
    options.dtype = torch::kFloat64;
    options.warm_start = {80.0, 60.0, 45.0, 30.0};
    options.run.iterations = iterations;
    return options;
}

}  // namespace

// From the bad start, the fit brings the validation loss far down, and the levels it keeps stay
// strictly descending.
void TestScheduleFit::fitImprovesABadSchedule() {
    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"));
    ScheduleFit fit(denoiser, crowded_start(128, 60));
    const ScheduleFitResult result = fit.run();
    qInfo("validation loss %.4g from %.4g; sigmas %s", result.best_validation, result.warm_start_validation,
          ScheduleFitResult(result).to_json().c_str());
    QVERIFY2(result.best_validation < 0.1 * result.warm_start_validation,
             qPrintable(QString("%1 from %2").arg(result.best_validation).arg(result.warm_start_validation)));
    QCOMPARE(result.sigmas.size(), size_t(5));
    for (size_t i = 0; i + 1 < result.sigmas.size(); ++i) QVERIFY(result.sigmas[i] > result.sigmas[i + 1]);
    QCOMPARE(result.teacher_evaluations, int64_t(192 * 35));
    QCOMPARE(result.fit_evaluations, int64_t(60 * 64 * 4));
    QCOMPARE(result.validation_evaluations, int64_t(13 * 64 * 4));  // the warm start, then every 5 iterations
    QVERIFY(result.best_iteration > 0);
}

// With sigma_max fixed, the same bad start keeps its first level exactly while the levels below it
// move and the validation loss falls.
void TestScheduleFit::fixedSigmaMaxMovesOnlyTheLevelsBelow() {
    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"));
    ScheduleFitOptions options = crowded_start(64, 20);
    options.shifts = false;
    options.learn_sigma_max = false;
    ScheduleFit fit(denoiser, options);
    const double start = DifferentiableSchedule::from_sigmas(options.warm_start, false).sigma_list()[0];
    const ScheduleFitResult result = fit.run();
    QCOMPARE(fit.schedule().sigma_list()[0], start);
    QCOMPARE(result.sigmas[0], start);
    QVERIFY2(std::abs(start - 80.0) <= 1e-9 * 80.0, qPrintable(QString::number(start, 'g', 17)));
    QVERIFY2(std::abs(result.sigmas[1] - 60.0) > 1.0, qPrintable(QString::number(result.sigmas[1])));
    QVERIFY2(result.best_validation < 0.9 * result.warm_start_validation,
             qPrintable(QString("%1 from %2").arg(result.best_validation).arg(result.warm_start_validation)));
}

// With keep_by, the score decides which parameters are kept, not the pixel distance: a score that
// never improves keeps the warm start, one that improves at every call keeps the last validation.
// It is asked at the warm start and at every validation.
void TestScheduleFit::keepByAScoreKeepsWhatTheScorePrefers() {
    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"));
    int calls = 0;
    ScheduleFitOptions options = crowded_start(64, 10);
    options.keep_by = [&](const std::vector<double>& sigmas, const std::vector<double>& query) {
        ++calls;
        return sigmas.size() == query.size() + 1 ? 1.0 : std::nan("");
    };
    const ScheduleFitResult flat = ScheduleFit(denoiser, options).run();
    QCOMPARE(calls, 3);  // the warm start, then iterations 5 and 10
    QVERIFY(flat.kept_by_score);
    QCOMPARE(flat.best_iteration, int64_t(0));
    QCOMPARE(flat.best_validation, 1.0);
    for (size_t i = 0; i + 1 < flat.sigmas.size(); ++i)
        QVERIFY2(std::abs(flat.sigmas[i] / options.warm_start[i] - 1.0) < 1e-9, qPrintable(QString::number(flat.sigmas[i])));

    calls = 0;
    options.keep_by = [&](const std::vector<double>&, const std::vector<double>&) { return -double(++calls); };
    const ScheduleFitResult falling = ScheduleFit(denoiser, options).run();
    QCOMPARE(falling.best_iteration, int64_t(10));
    QCOMPARE(falling.best_validation, -3.0);
    QVERIFY(nlohmann::json::parse(falling.to_json())["kept_by"] == "score");
}

// A feature distance replaces pixels in the loss, the screen and the validation: with features 2x
// the held-out loss of a schedule is four times its pixel loss; matching the first coordinate only,
// the fit still repairs the bad start there, and the result names its distance; a map without a
// name is refused.
void TestScheduleFit::featureDistanceReplacesPixels() {
    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"));
    const ScheduleFitOptions pixels = crowded_start(64, 10);
    ScheduleFitOptions doubled = pixels;
    doubled.distance = "twice the point";
    doubled.distance_features = [](const torch::Tensor& x) { return 2.0 * x; };
    ScheduleFit by_pixels(denoiser, pixels), by_features(denoiser, doubled);
    const DifferentiableSchedule schedule = DifferentiableSchedule::from_sigmas(karras_schedule(4, 0.002, 10.0, 7.0), true);
    const double pixel_loss = by_pixels.validation_loss(schedule), feature_loss = by_features.validation_loss(schedule);
    QVERIFY2(std::abs(feature_loss / (4.0 * pixel_loss) - 1.0) < 1e-12, qPrintable(QString("%1 vs 4 x %2").arg(feature_loss).arg(pixel_loss)));

    ScheduleFitOptions first = crowded_start(128, 60);
    first.distance = "first coordinate";
    first.distance_features = [](const torch::Tensor& x) { return x.narrow(1, 0, 1); };
    const ScheduleFitResult result = ScheduleFit(denoiser, first).run();
    QVERIFY2(result.best_validation < 0.1 * result.warm_start_validation,
             qPrintable(QString("%1 from %2").arg(result.best_validation).arg(result.warm_start_validation)));
    QVERIFY(nlohmann::json::parse(result.to_json())["distance"] == "first coordinate");

    ScheduleFitOptions unnamed = doubled;
    unnamed.distance = "pixels";
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ScheduleFit(denoiser, unnamed));
}

// 5 iterations, a checkpoint, 5 more from it: the parameters and the best ones of 10 in one go, to
// rounding; the default warm start is the best of the classic grid on the held-out pairs, and every
// held-out pass is counted; a checkpoint of another setup is refused with the file named.
void TestScheduleFit::resumeContinuesExactly() {
    GaussianMixtureDenoiser denoiser(make_toy_mixture("grid25"));
    QTemporaryDir dir;
    ScheduleFitOptions options;
    options.solver = Solver::Heun;
    options.nfe = 5;
    options.pairs = 64;
    options.validation_pairs = 32;
    options.batch = 16;
    options.soft_teacher = 0.05;
    options.dtype = torch::kFloat64;
    options.run.iterations = 10;
    ScheduleFit whole(denoiser, options);
    const ScheduleFitResult straight = whole.run();
    QCOMPARE(straight.screen_evaluations, int64_t(20 * 32 * 5));
    QCOMPARE(straight.validation_evaluations, int64_t(2 * 32 * 5));  // after iterations 5 and 10
    double grid_best = std::numeric_limits<double>::infinity();
    for (double sigma_max : ClassicGrid::sigma_max)
        for (double rho : ClassicGrid::rho)
            grid_best = std::min(grid_best, whole.validation_loss(DifferentiableSchedule::from_sigmas(karras_schedule(3, 0.002, sigma_max, rho), true)));
    QCOMPARE(straight.warm_start_validation, grid_best);

    options.run.checkpoint = dir.filePath("fit.ckpt").toStdString();
    options.run.checkpoint_every = 5;
    options.run.iterations = 5;
    ScheduleFit first(denoiser, options);
    first.run();
    options.run.iterations = 10;
    options.run.resume = true;
    ScheduleFit second(denoiser, options);
    QVERIFY(second.resumed());
    QCOMPARE(second.iterations(), int64_t(5));
    QVERIFY(torch::equal(second.schedule().state(), first.schedule().state()));
    const ScheduleFitResult resumed = second.run();
    // Equal to rounding: 8.9e-16 was seen (the optimiser's state comes back from the archive).
    const double difference = (second.schedule().state() - whole.schedule().state()).abs().max().item<double>();
    QVERIFY2(difference < 1e-12, qPrintable(QString::number(difference)));
    QCOMPARE(resumed.best_iteration, straight.best_iteration);
    QVERIFY(std::abs(resumed.best_validation - straight.best_validation) <= 1e-9 * straight.best_validation);
    for (size_t i = 0; i < straight.sigmas.size(); ++i) QVERIFY(std::abs(resumed.sigmas[i] - straight.sigmas[i]) <= 1e-9 * straight.sigmas[i]);
    QCOMPARE(resumed.warm_start, straight.warm_start);
    QCOMPARE(resumed.fit_evaluations, straight.fit_evaluations);
    QCOMPARE(resumed.validation_evaluations, straight.validation_evaluations);

    options.nfe = 7;
    try {
        ScheduleFit other(denoiser, options);
        QFAIL("expected the checkpoint to be refused");
    } catch (const std::runtime_error& e) {
        QVERIFY2(QString(e.what()).contains("fit.ckpt") && QString(e.what()).contains("nfe", Qt::CaseInsensitive), e.what());
    }
}

// The fit writes its best levels to a schedule file; the file reads back the same numbers and the
// model it was fitted for; another model, or the same name with other weights, gets a warning
// sentence; a damaged file or one of another kind is refused with the file named.
void TestScheduleFit::scheduleFileRoundTripAndChecks() {
    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"), "toy:ring8");
    QTemporaryDir dir;
    const std::string path = dir.filePath("ring8.irls").toStdString();
    ScheduleFitOptions options;
    options.nfe = 4;
    options.pairs = 32;
    options.validation_pairs = 16;
    options.batch = 16;
    options.dtype = torch::kFloat64;
    options.run.iterations = 5;
    options.schedule_file = path;
    ScheduleFit fit(denoiser, options);
    const ScheduleFitResult result = fit.run();
    const LearnedSchedule file = load_learned_schedule(path);
    QCOMPARE(file.solver, Solver::DpmSolver2M);
    QCOMPARE(file.nfe, int64_t(4));
    QCOMPARE(file.sigmas, result.sigmas);
    QCOMPARE(file.query_sigmas, result.query_sigmas);
    QCOMPARE(file.model, std::string("toy:ring8"));
    QVERIFY(file.model_checksum.empty());
    QVERIFY(QString::fromStdString(file.facts_json).contains("\"partial\":false"));
    QVERIFY(learned_schedule_mismatch(file, denoiser).empty());

    GaussianMixtureDenoiser other(make_toy_mixture("grid25"), "toy:grid25");
    const QString warning = QString::fromStdString(learned_schedule_mismatch(file, other));
    QVERIFY2(warning.contains("toy:ring8") && warning.contains("toy:grid25"), qPrintable(warning));
    LearnedSchedule same_name = file;
    same_name.model_checksum = "0badf00d";
    QVERIFY(QString::fromStdString(learned_schedule_mismatch(same_name, denoiser)).contains("0badf00d"));

    // A byte flipped in the middle, a truncated file, another kind of file: one sentence naming it.
    auto expect_refused = [&](const std::string& bytes, const std::string& name) {
        const std::string damaged = dir.filePath(QString::fromStdString(name)).toStdString();
        std::ofstream(damaged, std::ios::binary) << bytes;
        try {
            load_learned_schedule(damaged);
            QFAIL(qPrintable(QString::fromStdString("expected " + name + " to be refused")));
        } catch (const std::runtime_error& e) {
            QVERIFY2(QString(e.what()).contains(QString::fromStdString(damaged)) && !QString(e.what()).contains("frame #"), e.what());
        }
    };
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string flipped = bytes;
    flipped[flipped.size() / 2] ^= 0x20;
    expect_refused(flipped, "flipped.irls");
    expect_refused(bytes.substr(0, bytes.size() - 9), "truncated.irls");
    expect_refused("sigmas 80, 10, 1, 0.1\n", "text.irls");
}

// A few iterations on the bundled U-Net (classes in turn, float32, gradients through the network):
// the loss stays finite, the validation loss does not get worse than the warm start's, and the file
// names the weights it was fitted for by their checksum.
void TestScheduleFit::fitOnTheBundledUnet() {
    auto denoiser = UnetDenoiser::load(find_resource("models/fashion-unet.pt"));
    QVERIFY(!denoiser->weights_checksum().empty());
    QTemporaryDir dir;
    ScheduleFitOptions options;
    options.nfe = 3;
    options.teacher_nfe = 9;
    options.pairs = 8;
    options.validation_pairs = 4;
    options.batch = 4;
    options.warm_start = karras_schedule(3, 0.002, 20.0, 7.0);
    options.run.iterations = 3;
    options.run.evaluate_every = 1;
    options.schedule_file = dir.filePath("fashion.irls").toStdString();
    ScheduleFit fit(*denoiser, options);
    const ScheduleFitResult result = fit.run();
    QVERIFY2(std::isfinite(result.best_validation) && result.best_validation < result.warm_start_validation,
             qPrintable(QString("%1 from %2").arg(result.best_validation).arg(result.warm_start_validation)));
    QCOMPARE(result.fit_evaluations, int64_t(3 * 4 * 3));
    const LearnedSchedule file = load_learned_schedule(options.schedule_file);
    QCOMPARE(file.model_checksum, denoiser->weights_checksum());
    QVERIFY(learned_schedule_mismatch(file, *denoiser).empty());

    // The same in the features of the bundled second judge, its weights frozen: the gradient
    // reaches the levels through the network, and the distance is named in the file.
    use_feature_distance(options, "models/fashion-features.pt", *denoiser);  // the bundled one, by name
    const ScheduleFitResult in_features = ScheduleFit(*denoiser, options).run();
    QVERIFY2(std::isfinite(in_features.best_validation) && in_features.best_validation < in_features.warm_start_validation,
             qPrintable(QString("%1 from %2").arg(in_features.best_validation).arg(in_features.warm_start_validation)));
    QVERIFY(nlohmann::json::parse(load_learned_schedule(options.schedule_file).facts_json)["distance"] == options.distance);
}

namespace {

// The schedule bench on ring8 at 4 NFE with a few small fits, in float64.
ScheduleBenchPlan small_ring8_bench() {
    ScheduleBenchPlan plan;
    plan.fit.nfe = 4;
    plan.fit.pairs = 32;
    plan.fit.validation_pairs = 16;
    plan.fit.batch = 16;
    plan.fit.dtype = torch::kFloat64;
    plan.fit.conditional = false;
    plan.fit.run.iterations = 5;
    return plan;
}

}  // namespace

// The claim's driver on ring8, small: one row per variant and training seed, each scored on every
// evaluation seed; the warm start scored as a row; a verdict per variant against the warm start;
// a training seed that is also an evaluation seed is refused.
void TestScheduleFit::benchScoresEveryVariantOnTheSameSeeds() {
    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"), "toy:ring8");
    at::Generator g = make_generator(777);
    const torch::Tensor truth = denoiser.mixture().sample(400, g);
    const Testbed test = toy_testbed(denoiser, denoiser.mixture(), truth, {101, 102});
    ScheduleBenchPlan plan = small_ring8_bench();
    plan.seeds = {0, 1};
    plan.baselines = false;
    const ScheduleBenchResult r = run_schedule_bench(test, test, plan);
    QCOMPARE(r.learned.size(), size_t(4));
    QCOMPARE(r.pooled.size(), size_t(2));
    for (const auto& row : r.pooled) QCOMPARE(row["seeds"].get<int64_t>(), int64_t(4));  // 2 training x 2 evaluation seeds
    for (const auto& row : r.learned) QCOMPARE(row["per_seed"]["mmd2"].size(), size_t(2));
    QVERIFY(r.warm_start.contains("mmd2"));
    // No baselines: a verdict over the warm start only.
    QCOMPARE(r.verdicts.size(), size_t(2));
    QVERIFY(r.verdicts[0].contains("mmd2_over_warm_start") && !r.verdicts[0].contains("mmd2_vs_best_classic"));

    plan.seeds = {102};
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, run_schedule_bench(test, test, plan));

    // Warm-started on the tuning data: every fit starts at the fit's solver's grid schedule that
    // scores best there (not on the evaluation seeds), and pays for the screen.
    const torch::Tensor other_truth = denoiser.mixture().sample(400, g);
    const Testbed tuning = toy_testbed(denoiser, denoiser.mixture(), other_truth, {31337});
    plan.seeds = {0};
    plan.shifts = {false};
    plan.warm_start_on_tuning = true;
    const ScheduleBenchResult warm = run_schedule_bench(test, tuning, plan);
    QCOMPARE(warm.warm_start_screen.size(), size_t(ClassicGrid::sigma_max.size() * ClassicGrid::rho.size()));
    const nlohmann::json best = best_row(classic_grid(tuning, 4, {plan.fit.solver}), tuning.criteria.front());
    const std::vector<double> expected = classic_settings(best).sigmas;
    QCOMPARE(warm.learned[0]["fit"]["warm_start"].get<std::vector<double>>(), expected);
    int64_t screen = 0;
    for (const auto& row : warm.warm_start_screen) screen += row["evaluations"].get<int64_t>();
    QVERIFY(screen > 0);
    const int64_t fitted = warm.learned[0]["fit"]["teacher_evaluations"].get<int64_t>() +
                           warm.learned[0]["fit"]["screen_evaluations"].get<int64_t>() +
                           warm.learned[0]["fit"]["validation_evaluations"].get<int64_t>() +
                           warm.learned[0]["fit"]["fit_evaluations"].get<int64_t>();
    QCOMPARE(warm.learned[0]["fit"]["screen_evaluations"].get<int64_t>(), int64_t(0));  // the fit's own screen did not run
    QCOMPARE(warm.learned[0]["training_evaluations"].get<int64_t>(), fitted + screen);
}

// With a rows folder, every scored row is kept: the same bench again reads all of them back and
// gives the same result; a row removed (or damaged) is scored again, the same as before; another
// setup in that folder is refused, naming the folder and what differs.
void TestScheduleFit::benchRowsResumeFromTheirFolder() {
    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"), "toy:ring8");
    at::Generator g = make_generator(777);
    const Testbed test = toy_testbed(denoiser, denoiser.mixture(), denoiser.mixture().sample(400, g), {101, 102});
    const Testbed tuning = toy_testbed(denoiser, denoiser.mixture(), denoiser.mixture().sample(400, g), {31337});
    QTemporaryDir dir;
    ScheduleBenchPlan plan = small_ring8_bench();
    plan.seeds = {0};
    plan.screening.count = 100;
    plan.tuning_grid = 16;
    plan.rows_folder = dir.filePath("rows").toStdString();
    plan.testbed = "toy:ring8";
    const ScheduleBenchResult first = run_schedule_bench(test, tuning, plan);
    QCOMPARE(first.reused_rows, 0);
    // learned with shifts, levels only, the warm start, the classic grid, the tuned schedule
    const ScheduleBenchResult again = run_schedule_bench(test, tuning, plan);
    QCOMPARE(again.reused_rows, 5);
    QCOMPARE(again.learned, first.learned);
    QCOMPARE(again.classic, first.classic);
    QCOMPARE(again.verdicts, first.verdicts);

    QVERIFY(QFile::remove(dir.filePath("rows/learned-plain-seed0.json")));
    {
        QFile damaged(dir.filePath("rows/learned-shifts-seed0.json"));
        QVERIFY(damaged.open(QIODevice::WriteOnly));
        damaged.write("{\"fd\": 1");
    }
    const ScheduleBenchResult mended = run_schedule_bench(test, tuning, plan);
    QCOMPARE(mended.reused_rows, 3);
    for (size_t i = 0; i < first.learned.size(); ++i) {  // scored again: the same, but for the fit's wall time
        QCOMPARE(mended.learned[i]["mmd2"], first.learned[i]["mmd2"]);
        QCOMPARE(mended.learned[i]["fit"]["sigmas"], first.learned[i]["fit"]["sigmas"]);
        QCOMPARE(mended.learned[i]["fit"]["query_sigmas"], first.learned[i]["fit"]["query_sigmas"]);
    }

    plan.fit.run.iterations = 6;
    try {
        run_schedule_bench(test, tuning, plan);
        QFAIL("a folder of another setup was used");
    } catch (const std::runtime_error& e) {
        QVERIFY2(QString(e.what()).contains(QString::fromStdString(plan.rows_folder)) && QString(e.what()).contains("iterations"), e.what());
    }
}

IRL_TEST_CLASS("test_schedule_fit", TestScheduleFit)
#include "test_schedule_fit.moc"
