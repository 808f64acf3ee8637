// The built-in nodes through the executor, checked against the engine: each action node linked
// into the Sampler sets exactly its own control (the samples equal the engine sampler's with that
// control), the ports refuse other kinds with a reason, and older graph files migrate.
#include "builtin_values.h"

#include "irl/engine/core/random.h"
#include "irl/engine/data/toy_mixtures.h"
#include "irl/engine/learning/dxmi/dxmi_files.h"
#include "irl/engine/learning/irl/sampler_comparison.h"
#include "irl/engine/models/gaussian_mixture_denoiser.h"
#include "irl/engine/sampling/learned_schedule_file.h"
#include "irl/engine/sampling/sampler.h"
#include "irl/engine/sampling/schedule.h"
#include "irl/nodes/executor.h"
#include "irl/nodes/graph_file.h"
#include "irl/nodes/plugin_loader.h"
#include "test_registry.h"

#include <opencv2/imgcodecs.hpp>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest/QtTest>
#include <torch/torch.h>

#include <map>

using namespace irl;
using namespace irl::nodes;

class TestBuiltinNodes : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        packs_.load({IRL_PLUGIN_BUILD_DIR});
        QVERIFY(packs_.registry().find("irl.sampler"));
    }
    void eachActionSetsItsOwnControl_data();
    void eachActionSetsItsOwnControl();
    void actionPortsRefuseOtherKinds();
    void aForcedWrongLinkIsRefusedByTheSampler();
    void olderGraphFilesMigrate();
    void scheduleTunerIsTheEnginesTuner();
    void learnedAndPastedSchedules();
    void scheduleLearnerFeedsTheSampler();
    void dxmiTrainerGivesItsSamplerAndEnergy();
    void datasetTakesTheDenoisersShape();
    void aColourPipelineFromFolderToPng();
    void theSamplerStartsFromAPicture();
    void loadImageFeedsTheSampler();

private:
    // denoiser (toy ring8) + schedule (6 steps) + sampler (class 0, 64 samples, seed 3), and an
    // action node of `type` with `value` linked into the sampler's `port`.
    Graph graph_with_action(const QString& type, const QString& port, double value, const QString& solver) const;
    torch::Tensor run_samples(const Graph& graph) const;
    // What the engine samples with `settings` as these tests' Sampler nodes ask: the ring8 toy,
    // class 0, 64 samples, seed 3.
    static torch::Tensor ring8_samples(const SamplerSettings& settings);

    NodePacks packs_;
};

Graph TestBuiltinNodes::graph_with_action(const QString& type, const QString& port, double value, const QString& solver) const {
    Graph g(&packs_.registry());
    const QString d = g.add_node("irl.denoiser"), s = g.add_node("irl.schedule"), a = g.add_node("irl.sampler");
    const QString action = g.add_node(type), preview = g.add_node("irl.preview");
    g.set_parameter(d, "source", "toy");
    g.set_parameter(s, "steps", 6);
    g.set_parameter(a, "solver", solver);
    g.set_parameter(a, "class", 0);
    g.set_parameter(a, "count", 64);
    g.set_parameter(a, "seed", 3);
    g.set_parameter(action, "value", value);
    QString why;
    for (const Link& link : QVector<Link>{{{d, "denoiser"}, {a, "denoiser"}}, {{s, "schedule"}, {a, "schedule"}},
                                          {{action, "action"}, {a, port}}, {{a, "images"}, {preview, "images"}}})
        if (!g.connect(link, &why)) qFatal("%s", qPrintable(why));
    return g;
}

torch::Tensor TestBuiltinNodes::run_samples(const Graph& graph) const {
    Executor executor(packs_);
    RunContext context;
    QTemporaryDir out;
    context.output_dir = out.path();
    const RunOutcome outcome = executor.run(graph, context);
    if (!outcome.ok) qFatal("%s", qPrintable(outcome.error));
    return std::any_cast<builtin::ImagesValue>(executor.outputs_of("sampler-1").value("images")).samples;
}

namespace {

// A graph with a trainer node run once into a fresh output folder, with what the trainer told.
struct TrainerRun {
    QTemporaryDir out;
    RunContext context;
    QVector<TrainingReport> reports;
    QVariantMap reported;
    RunOutcome outcome;
};

// Links the graph and runs it with `run`'s reporting context; the first refused link or the run's
// error, empty when it ran.
QString link_and_run(Executor& executor, Graph& graph, const QVector<Link>& links, TrainerRun& run) {
    QString why;
    for (const Link& link : links)
        if (!graph.connect(link, &why)) return why;
    run.context.output_dir = run.out.path();
    run.context.training_report = [&run](const TrainingReport& report) { run.reports << report; };
    run.context.report = [&run](const QString&, const QString& key, double value) { run.reported.insert(key, value); };
    run.outcome = executor.run(graph, run.context);
    return run.outcome.ok ? QString() : run.outcome.error;
}

}  // namespace

torch::Tensor TestBuiltinNodes::ring8_samples(const SamplerSettings& settings) {
    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"), "toy:ring8");
    SampleRequest request;
    request.count = 64;
    request.seed = 3;
    request.labels = torch::zeros({64}, torch::kInt64);
    return sample(denoiser, settings, request).samples;
}

void TestBuiltinNodes::eachActionSetsItsOwnControl_data() {
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("port");
    QTest::addColumn<double>("value");
    QTest::addColumn<QString>("solver");
    QTest::newRow("guidance") << "irl.guidance" << "guidance" << 2.0 << "euler";
    QTest::newRow("churn") << "irl.churn" << "churn" << 0.3 << "heun";
    QTest::newRow("renoise") << "irl.renoise" << "renoise" << 1.0 << "euler";
    QTest::newRow("stochasticity") << "irl.stochasticity" << "stochasticity" << 0.7 << "gddim";
}

void TestBuiltinNodes::eachActionSetsItsOwnControl() {
    QFETCH(QString, type);
    QFETCH(QString, port);
    QFETCH(double, value);
    QFETCH(QString, solver);
    const torch::Tensor from_graph = run_samples(graph_with_action(type, port, value, solver));

    // The same sampler run by the engine with only that control changed from the default.
    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"), "toy:ring8");
    SamplerSettings settings;
    settings.solver = solver_from_string(solver.toStdString());
    settings.sigmas = karras_schedule(6);
    set_control(settings.fixed, action_kind_from_string(port.toStdString()), value);
    SampleRequest request;
    request.count = 64;
    request.seed = 3;
    request.labels = torch::zeros({64}, torch::kInt64);
    const torch::Tensor expected = sample(denoiser, settings, request).samples;
    QVERIFY(torch::equal(from_graph, expected));
    // And the control matters: without it the samples differ.
    SamplerSettings plain = settings;
    plain.fixed = StepControl{};
    QVERIFY(!torch::equal(from_graph, sample(denoiser, plain, request).samples));
}

void TestBuiltinNodes::actionPortsRefuseOtherKinds() {
    Graph g(&packs_.registry());
    const QString a = g.add_node("irl.sampler"), trainer = g.add_node("irl.irl_trainer");
    const QStringList kinds{"guidance", "churn", "renoise", "stochasticity"};
    for (const QString& kind : kinds) {
        const QString node = g.add_node("irl." + kind);
        for (const QString& port : kinds) {
            for (const QString& target : {a, trainer}) {
                const QString why = g.why_not({{node, "action"}, {target, port}});
                if (port == kind) {
                    QVERIFY2(why.isEmpty(), qPrintable(why));
                } else {
                    QString wanted = port, given = kind;
                    wanted[0] = wanted[0].toUpper();
                    given[0] = given[0].toUpper();
                    QVERIFY2(why.contains("takes a " + wanted + " action") && why.contains("gives a " + given + " action"), qPrintable(why));
                }
            }
        }
    }
}

void TestBuiltinNodes::aForcedWrongLinkIsRefusedByTheSampler() {
    // A link the graph checks would refuse (a hand-edited file read without checks) still cannot
    // set the wrong control: the Sampler takes each input's own kind only.
    Graph g = graph_with_action("irl.guidance", "guidance", 2.0, "euler");
    g.disconnect({{"guidance-1", "action"}, {"sampler-1", "guidance"}});
    g.insert_link({{"guidance-1", "action"}, {"sampler-1", "churn"}});
    Executor executor(packs_);
    RunContext context;
    QTemporaryDir out;
    context.output_dir = out.path();
    const RunOutcome outcome = executor.run(g, context);
    QVERIFY(!outcome.ok);
    QVERIFY2(outcome.error.contains("takes a churn action, not a guidance one"), qPrintable(outcome.error));
}

void TestBuiltinNodes::olderGraphFilesMigrate() {
    // Written before the precision-recall lambda was called pr_lambda: the value moves over and
    // the load says so (a warning, not an error), so that the window can mark the graph changed.
    const QByteArray old = R"({"format": "irlstudio-graph", "version": 2,
        "nodes": [{"id": "irl_trainer-1", "type": "irl.irl_trainer", "params": {"divergence": "precision-recall", "lambda": 5}},
                  {"id": "stochasticity-1", "type": "irl.stochasticity", "params": {"value": 0.5}},
                  {"id": "sampler-1", "type": "irl.sampler", "params": {}}],
        "links": [{"from": {"node": "stochasticity-1", "port": "action"}, "to": {"node": "sampler-1", "port": "stochasticity"}}]})";
    const GraphLoadResult r = read_graph(old, packs_.registry(), "old.json");
    QVERIFY2(r.graph, qPrintable(r.summary()));
    QCOMPARE(r.graph->node("irl_trainer-1")->parameters.value("pr_lambda").toDouble(), 5.0);
    QVERIFY(!r.graph->node("irl_trainer-1")->parameters.contains("lambda"));
    QVERIFY2(r.summary().contains("nodes[0].params.lambda: renamed to 'pr_lambda' (migrated)"), qPrintable(r.summary()));
    QVERIFY(r.changed_on_load());
    QCOMPARE(r.graph->links().size(), 1);
    // Saved again, it reads back without a problem.
    const GraphLoadResult again = read_graph(write_graph(*r.graph), packs_.registry(), "again.json");
    QVERIFY2(again.graph && again.problems.isEmpty(), qPrintable(again.summary()));
}

// The Schedule Tuner node and `irlstudio-cli tune-schedule` both run the engine's tune_schedule:
// on the same data and seed the node finds the schedule the engine finds, and a better one than
// the search started from.
void TestBuiltinNodes::scheduleTunerIsTheEnginesTuner() {
    Graph g(&packs_.registry());
    const QString d = g.add_node("irl.denoiser"), data = g.add_node("irl.dataset"), tuner = g.add_node("irl.schedule_tuner");
    g.set_parameter(d, "source", "toy");
    g.set_parameter(data, "source", "toy");
    g.set_parameter(data, "count", 1000);
    g.set_parameter(tuner, "solver", "euler");
    g.set_parameter(tuner, "nfe", 4);
    g.set_parameter(tuner, "grid", 32);
    g.set_parameter(tuner, "count", 1000);
    g.set_parameter(tuner, "max_evaluations", 40000);
    g.set_parameter(tuner, "seed", 31337);
    QString why;
    for (const Link& link : QVector<Link>{{{d, "denoiser"}, {tuner, "denoiser"}}, {{data, "dataset"}, {tuner, "reference"}}})
        QVERIFY2(g.connect(link, &why), qPrintable(why));
    Executor executor(packs_);
    RunContext context;
    QTemporaryDir out;
    context.output_dir = out.path();
    QVariantMap reported;
    context.report = [&](const QString&, const QString& key, double value) { reported.insert(key, value); };
    const RunOutcome outcome = executor.run(g, context, {tuner});
    QVERIFY2(outcome.ok, qPrintable(outcome.error));
    const std::vector<double> node = std::any_cast<builtin::ScheduleValue>(executor.outputs_of(tuner).value("schedule")).sigmas;

    // The Dataset node's toy data: the ring's mixture drawn from seed 0.
    GaussianMixtureDenoiser denoiser(make_toy_mixture("ring8"), "toy:ring8");
    at::Generator g0 = make_generator(0);
    torch::Tensor labels;
    const torch::Tensor truth = denoiser.mixture().sample(1000, g0, -1, &labels).to(torch::kFloat64);
    const ScheduleSearchResult engine = tune_schedule(toy_testbed(denoiser, denoiser.mixture(), truth, {31337}), Solver::Euler, 4, 32, 40000);
    QCOMPARE(node.size(), engine.sigmas.size());
    for (size_t i = 0; i < node.size(); ++i) QCOMPARE(node[i], engine.sigmas[i]);
    QCOMPARE(reported.value("mmd2").toDouble(), engine.score);
    QCOMPARE(reported.value("tuning_evaluations").toDouble(), double(engine.evaluations));
    QVERIFY(engine.score < engine.start_score);
}

// The Schedule node's learned source gives the Sampler the file's levels and query levels (the
// samples are the engine's with both), and a pasted list gives it exactly the levels; a file fitted
// for another model or solver makes the Sampler say so.
void TestBuiltinNodes::learnedAndPastedSchedules() {
    QTemporaryDir dir;
    LearnedSchedule learned;
    learned.solver = Solver::DpmSolver2M;
    learned.nfe = 4;
    learned.sigmas = {30.0, 4.0, 0.8, 0.05, 0.0};
    learned.query_sigmas = {33.0, 3.6, 0.85, 0.04};
    learned.model = "toy:ring8";
    const QString file = dir.filePath("ring8.irls");
    save_learned_schedule(learned, file.toStdString());

    auto run = [&](const QString& kind, const QString& value, const QString& solver, QStringList* notices) {
        Graph g(&packs_.registry());
        const QString d = g.add_node("irl.denoiser"), s = g.add_node("irl.schedule"), a = g.add_node("irl.sampler");
        const QString preview = g.add_node("irl.preview");
        g.set_parameter(d, "source", "toy");
        g.set_parameter(s, "kind", kind);
        g.set_parameter(s, kind == "learned" ? "file" : "sigmas", value);
        g.set_parameter(a, "solver", solver);
        g.set_parameter(a, "class", 0);
        g.set_parameter(a, "count", 64);
        g.set_parameter(a, "seed", 3);
        QString why;
        for (const Link& link : QVector<Link>{{{d, "denoiser"}, {a, "denoiser"}}, {{s, "schedule"}, {a, "schedule"}},
                                              {{a, "images"}, {preview, "images"}}})
            if (!g.connect(link, &why)) qFatal("%s", qPrintable(why));
        Executor executor(packs_);
        RunContext context;
        QTemporaryDir out;
        context.output_dir = out.path();
        context.notice = [&](const QString&, const QString& text) { notices->append(text); };
        const RunOutcome outcome = executor.run(g, context);
        if (!outcome.ok) qFatal("%s", qPrintable(outcome.error));
        return std::any_cast<builtin::ImagesValue>(executor.outputs_of(a).value("images")).samples;
    };
    SamplerSettings settings;
    settings.solver = Solver::DpmSolver2M;
    settings.sigmas = learned.sigmas;
    settings.query_sigmas = learned.query_sigmas;
    const torch::Tensor with_shifts = ring8_samples(settings);
    settings.query_sigmas.clear();
    const torch::Tensor at_levels = ring8_samples(settings);
    QVERIFY(!torch::equal(with_shifts, at_levels));

    QStringList notices;
    QVERIFY(torch::equal(run("learned", file, "dpmpp-2m", &notices), with_shifts));
    QVERIFY2(notices.isEmpty(), qPrintable(notices.join("; ")));
    QVERIFY(torch::equal(run("custom", "[30, 4, 0.8, 0.05]", "dpmpp-2m", &notices), at_levels));

    run("learned", file, "euler", &notices);
    QVERIFY2(notices.size() == 1 && notices.front().contains("dpmpp-2m") && notices.front().contains("euler"), qPrintable(notices.join("; ")));
    learned.model = "toy:grid25";
    save_learned_schedule(learned, file.toStdString());
    notices.clear();
    run("learned", file, "dpmpp-2m", &notices);
    QVERIFY2(notices.size() == 1 && notices.front().contains("toy:grid25"), qPrintable(notices.join("; ")));
}

// The Schedule Learner on the ring8 toy: it reports the distance to the teacher and the levels
// against the warm start each iteration, writes its file to the output folder, and the Sampler it
// feeds samples exactly as the engine does with that file's levels and query levels.
void TestBuiltinNodes::scheduleLearnerFeedsTheSampler() {
    Graph g(&packs_.registry());
    const QString d = g.add_node("irl.denoiser"), learner = g.add_node("irl.schedule_learner"), a = g.add_node("irl.sampler");
    const QString preview = g.add_node("irl.preview");
    g.set_parameter(d, "source", "toy");
    g.set_parameter(learner, "nfe", 4);
    g.set_parameter(learner, "iterations", 30);
    g.set_parameter(learner, "pairs", 64);
    g.set_parameter(learner, "validation_pairs", 32);
    g.set_parameter(a, "solver", "dpmpp-2m");
    g.set_parameter(a, "class", 0);
    g.set_parameter(a, "count", 64);
    g.set_parameter(a, "seed", 3);
    Executor executor(packs_);
    TrainerRun run;
    const QString error = link_and_run(executor, g,
                                       {{{d, "denoiser"}, {learner, "denoiser"}}, {{d, "denoiser"}, {a, "denoiser"}},
                                        {{learner, "schedule"}, {a, "schedule"}}, {{a, "images"}, {preview, "images"}}},
                                       run);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const QVector<TrainingReport>& reports = run.reports;
    const QVariantMap& reported = run.reported;
    const QTemporaryDir& out = run.out;
    QCOMPARE(reports.size(), 30);
    const TrainingReport& last = reports.back();
    QVERIFY(last.curve("loss") && last.curve("validation") && last.curve("log10_sigma_1"));
    QCOMPARE(last.profiles.size(), 3);
    QVERIFY(!last.samples_png.isEmpty());  // validated at its last iteration: the student's samples
    QVERIFY(reports[1].samples_png.isEmpty());  // not validated at iteration 2
    QCOMPARE(last.profiles[0].values.size(), 4);
    QVERIFY(reported.value("validation_loss").toDouble() < reported.value("warm_start_validation_loss").toDouble());

    const QString file = QDir(out.path()).filePath(learner + "-schedule.irls");
    QVERIFY2(QFile::exists(file), qPrintable(file));
    const LearnedSchedule learned = load_learned_schedule(file.toStdString());
    QVERIFY(learned.has_shifts());
    SamplerSettings settings;
    settings.solver = Solver::DpmSolver2M;
    settings.sigmas = learned.sigmas;
    settings.query_sigmas = learned.query_sigmas;
    const torch::Tensor from_graph = std::any_cast<builtin::ImagesValue>(executor.outputs_of(a).value("images")).samples;
    QVERIFY(torch::equal(from_graph, ring8_samples(settings)));
}

// The DxMI Trainer on ring8 with the exact denoiser (only the step noises learn): it reports the
// energies, the losses and s_t every iteration and an evaluation every few, writes the sampler and
// the energy files, and its outputs are the files' contents: the samples are the sampler file's
// own from the evaluation seeds, and the energy is the file's. Images are refused in one sentence.
void TestBuiltinNodes::dxmiTrainerGivesItsSamplerAndEnergy() {
    Graph g(&packs_.registry());
    const QString d = g.add_node("irl.denoiser"), data = g.add_node("irl.dataset"), dxmi = g.add_node("irl.dxmi_trainer");
    const QString preview = g.add_node("irl.preview");
    g.set_parameter(d, "source", "toy");
    g.set_parameter(data, "source", "toy");
    g.set_parameter(data, "count", 1000);
    g.set_parameter(dxmi, "fine_tune", false);
    g.set_parameter(dxmi, "iterations", 6);
    g.set_parameter(dxmi, "batch", 64);
    g.set_parameter(dxmi, "eval_every", 3);
    g.set_parameter(dxmi, "eval_count", 200);
    g.set_parameter(dxmi, "noise_lr", 0.05);
    Executor executor(packs_);
    TrainerRun run;
    const QString error = link_and_run(
        executor, g, {{{d, "denoiser"}, {dxmi, "denoiser"}}, {{data, "dataset"}, {dxmi, "data"}}, {{dxmi, "samples"}, {preview, "images"}}}, run);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const QVector<TrainingReport>& reports = run.reports;
    const QVariantMap& reported = run.reported;
    const QTemporaryDir& out = run.out;
    QCOMPARE(reports.size(), 6);
    QVERIFY(reports[0].curve("data_energy") && reports[0].curve("value_loss") && reports[0].curve("log10_s_0"));
    QVERIFY(!reports[0].curve("mmd2") && reports[0].samples_png.isEmpty());
    QVERIFY(reports[2].curve("mmd2") && !reports[2].samples_png.isEmpty());
    QCOMPARE(reports.back().profiles.front().values.size(), 4);
    QCOMPARE(reported.value("iterations").toInt(), 6);

    const std::string sampler_file = QDir(out.path()).filePath(dxmi + "-sampler.dxmi").toStdString();
    const std::string energy_file = QDir(out.path()).filePath(dxmi + "-sampler.energy").toStdString();
    const DxmiSamplerFile file = load_dxmi_sampler(sampler_file);
    QVERIFY(file.denoiser == nullptr);  // the exact denoiser has no weights to fine-tune
    QCOMPARE(file.source_model, std::string("toy:ring8"));
    const Values outputs = executor.outputs_of(dxmi);
    const auto images = std::any_cast<builtin::ImagesValue>(outputs.value("samples"));
    GaussianMixtureDenoiser exact(make_toy_mixture("ring8"), "toy:ring8");
    QVERIFY(torch::equal(images.samples, sample_few_step(exact, file.sampler, 200, 1000003, torch::kFloat64)));
    QCOMPARE(images.nfe, 4.0);
    const auto energy = std::any_cast<builtin::EnergyValue>(outputs.value("energy"));
    QCOMPARE(energy.file, energy_file);
    EnergyFile again = load_energy(energy_file);
    const torch::Tensor points = images.samples.to(torch::kFloat32);
    torch::NoGradGuard no_grad;
    EnergyNet from_output = energy.energy->energy;
    QVERIFY(torch::equal(from_output(points), again.energy(points)));
    QCOMPARE(std::any_cast<builtin::DenoiserValue>(outputs.value("denoiser")).denoiser->identity(), std::string("toy:ring8"));

    // "Use the result": the DxMI Sampler node loads the file and samples as the trainer did.
    const auto& output_file = g.type_of(dxmi)->traits.output_file;
    QVERIFY(output_file && output_file->loader_type == "irl.dxmi_sampler" && output_file->loader_parameter == "file");
    Graph loading(&packs_.registry());
    const QString loader = loading.add_node("irl.dxmi_sampler"), shown = loading.add_node("irl.preview");
    loading.set_parameter(loader, "file", QString::fromStdString(sampler_file));
    loading.set_parameter(loader, "count", 200);
    loading.set_parameter(loader, "seed", 1000003);
    QString why;
    QVERIFY2(loading.connect({{loader, "samples"}, {shown, "images"}}, &why), qPrintable(why));
    const RunOutcome loaded = executor.run(loading, run.context);
    QVERIFY2(loaded.ok, qPrintable(loaded.error));
    const Values from_file = executor.outputs_of(loader);
    const auto again_images = std::any_cast<builtin::ImagesValue>(from_file.value("samples"));
    QVERIFY(torch::equal(again_images.samples, images.samples));
    QVERIFY(again_images.toy && again_images.nfe == 4.0);
    QCOMPARE(std::any_cast<builtin::DenoiserValue>(from_file.value("denoiser")).denoiser->identity(), std::string("toy:ring8"));
    // A file that is not there is named in one sentence.
    loading.set_parameter(loader, "file", out.filePath("missing.dxmi"));
    const RunOutcome missing = executor.run(loading, run.context);
    QVERIFY(!missing.ok);
    QVERIFY2(missing.error.contains("missing.dxmi"), qPrintable(missing.error));

    // Images are not points of a toy.
    g.set_parameter(d, "source", "bundled");
    const RunOutcome refused = executor.run(g, run.context);
    QVERIFY(!refused.ok);
    QVERIFY2(refused.error.contains("2-D toys"), qPrintable(refused.error));
}

// The Dataset node converts an image folder to the connected denoiser's shape (a 3x32x32
// TorchScript model here), colour kept and grey repeated with a notice, and to its Shape
// parameter when no denoiser is connected; a bad Shape is one sentence naming it.
void TestBuiltinNodes::datasetTakesTheDenoisersShape() {
    QTemporaryDir pictures;
    const std::string folder = pictures.filePath("shirts").toStdString();
    QVERIFY(QDir().mkpath(QString::fromStdString(folder)));
    cv::imwrite(folder + "/wide.png", cv::Mat(30, 90, CV_8UC3, cv::Scalar(0, 200, 0)));
    cv::imwrite(folder + "/tall.png", cv::Mat(70, 20, CV_8UC1, cv::Scalar(40)));
    const auto run_dataset = [&](bool with_denoiser, const QString& shape, QStringList* notices) {
        Graph g(&packs_.registry());
        const QString d = g.add_node("irl.denoiser"), data = g.add_node("irl.dataset");
        g.set_parameter(d, "source", "torchscript");
        g.set_parameter(d, "file", QString(IRL_FIXTURE_DIR) + "/conv-colour-raw.pt");
        g.set_parameter(data, "source", "image-folder");
        g.set_parameter(data, "folder", QString::fromStdString(folder));
        g.set_parameter(data, "shape", shape);
        QString why;
        if (with_denoiser && !g.connect({{d, "denoiser"}, {data, "denoiser"}}, &why)) qFatal("%s", qPrintable(why));
        Executor executor(packs_);
        RunContext context;
        QTemporaryDir out;
        context.output_dir = out.path();
        context.notice = [notices](const QString&, const QString& text) { *notices << text; };
        const RunOutcome outcome = executor.run(g, context, {data});
        if (!outcome.ok) throw std::runtime_error(outcome.error.toStdString());
        return std::any_cast<builtin::DatasetValue>(executor.outputs_of(data).value("dataset")).data;
    };
    QStringList notices;
    const torch::Tensor colour = run_dataset(true, "1x28x28", &notices);
    QCOMPARE(colour.sizes(), (torch::IntArrayRef{2, 3, 32, 32}));
    // The green picture stays green (tall.png comes first by name).
    QVERIFY(colour[1][1].mean().item<float>() > 0.5f && colour[1][0].mean().item<float>() < -0.9f);
    QVERIFY2(notices.join("\n").contains("repeated 1 grey image into colour"), qPrintable(notices.join("\n")));
    notices.clear();
    const torch::Tensor grey = run_dataset(false, "1x16x24", &notices);
    QCOMPARE(grey.sizes(), (torch::IntArrayRef{2, 1, 16, 24}));
    QVERIFY2(notices.join("\n").contains("made 1 colour image grey"), qPrintable(notices.join("\n")));
    try {
        run_dataset(false, "4x16x16", &notices);
        QFAIL("expected an error");
    } catch (const std::runtime_error& e) {
        QVERIFY2(QString(e.what()).contains("the Dataset node's Shape must be CxHxW"), e.what());
    }
}

// End to end in colour, on a 3x32x32 TorchScript model: a folder of colour pictures of mixed sizes
// feeds an IRL Trainer, whose policy drives a Sampler; Evaluate says it has no features for them yet and
// keeps the run going; Save Image writes an RGB PNG that reopens its graph.
void TestBuiltinNodes::aColourPipelineFromFolderToPng() {
    QTemporaryDir pictures;
    const std::string folder = pictures.filePath("pictures").toStdString();
    for (const char* group : {"warm", "cool"}) QVERIFY(QDir().mkpath(QString::fromStdString(folder + "/" + group)));
    const int sizes[][2] = {{24, 24}, {40, 30}, {18, 50}, {64, 64}};
    for (int i = 0; i < 4; ++i) {
        cv::imwrite(folder + "/warm/" + std::to_string(i) + ".png", cv::Mat(sizes[i][0], sizes[i][1], CV_8UC3, cv::Scalar(20, 90 + 30 * i, 230)));
        cv::imwrite(folder + "/cool/" + std::to_string(i) + ".png", cv::Mat(sizes[i][1], sizes[i][0], CV_8UC3, cv::Scalar(230, 120, 20 + 30 * i)));
    }
    Graph g(&packs_.registry());
    const QString d = g.add_node("irl.denoiser"), s = g.add_node("irl.schedule"), data = g.add_node("irl.dataset");
    const QString churn = g.add_node("irl.churn"), trainer = g.add_node("irl.irl_trainer"), sampler = g.add_node("irl.sampler");
    const QString evaluate = g.add_node("irl.evaluate"), save = g.add_node("irl.save_image");
    const std::map<QString, QVariantMap> parameters{
        {d, {{"source", "torchscript"}, {"file", QString(IRL_FIXTURE_DIR) + "/conv-colour-raw.pt"}}},
        {s, {{"steps", 4}}},
        {data, {{"source", "image-folder"}, {"folder", QString::fromStdString(folder)}, {"fit", "pad"}}},
        {churn, {{"choices", "0,0.3"}}},
        {trainer, {{"solver", "euler"}, {"iterations", 2}, {"batch", 8}, {"eval_every", 1}, {"eval_count", 16}}},
        {sampler, {{"solver", "euler"}, {"count", 8}}},
        {save, {{"path", "colour.png"}}}};
    for (const auto& [node, values] : parameters)
        for (auto it = values.begin(); it != values.end(); ++it) QVERIFY2(g.set_parameter(node, it.key(), it.value()), qPrintable(it.key()));
    Executor executor(packs_);
    TrainerRun run;
    QStringList notices;
    run.context.notice = [&notices](const QString& node, const QString& text) { notices << node + ": " + text; };
    const QVector<Link> links{{{d, "denoiser"}, {data, "denoiser"}},     {{d, "denoiser"}, {trainer, "denoiser"}},
                              {{s, "schedule"}, {trainer, "schedule"}},  {{data, "dataset"}, {trainer, "expert"}},
                              {{churn, "action"}, {trainer, "churn"}},   {{d, "denoiser"}, {sampler, "denoiser"}},
                              {{s, "schedule"}, {sampler, "schedule"}},  {{trainer, "policy"}, {sampler, "policy"}},
                              {{sampler, "images"}, {evaluate, "images"}}, {{sampler, "images"}, {save, "images"}}};
    QString why;
    for (const Link& link : links) QVERIFY2(g.connect(link, &why), qPrintable(why));
    run.context.graph_json = write_graph(g);
    QVERIFY2(link_and_run(executor, g, {}, run).isEmpty(), qPrintable(run.outcome.error));
    const QString all = notices.join("\n");
    QVERIFY2(all.contains("fitted 8 images of another size to 32x32 by pad"), qPrintable(all));
    QVERIFY2(all.contains("evaluate-1: no feature network for 3x32x32 pictures"), qPrintable(all));
    QVERIFY(!run.reports.isEmpty());
    // The picture is RGB (not grey stored as colour), and it carries the graph that made it.
    const QString png = QDir(run.out.path()).filePath("colour.png");
    const cv::Mat written = cv::imread(png.toStdString(), cv::IMREAD_UNCHANGED);
    QCOMPARE(written.channels(), 3);
    std::vector<cv::Mat> planes;
    cv::split(written, planes);
    QVERIFY(cv::norm(planes[0], planes[2], cv::NORM_L1) > 0.0);
    const GraphLoadResult reopened = load_graph_file(png, packs_.registry());
    QVERIFY2(reopened.graph && reopened.problems.isEmpty(), qPrintable(reopened.summary()));
    QCOMPARE(reopened.graph->nodes().size(), g.nodes().size());
    QCOMPARE(reopened.graph->links().size(), g.links().size());
}

// A Sampler fed another Sampler's samples as its start pictures: start σ 0 gives them back
// exactly with no evaluation; a strength of 0.5 starts halfway down the schedule's levels and
// spends fewer evaluations than a run from noise; a start σ wins over the strength.
void TestBuiltinNodes::theSamplerStartsFromAPicture() {
    Graph g(&packs_.registry());
    const QString d = g.add_node("irl.denoiser"), s = g.add_node("irl.schedule"), first = g.add_node("irl.sampler");
    const QString second = g.add_node("irl.sampler");
    g.set_parameter(d, "source", "toy");
    g.set_parameter(s, "steps", 10);
    for (const QString& a : {first, second}) {
        g.set_parameter(a, "solver", "euler");
        g.set_parameter(a, "count", 32);
    }
    g.set_parameter(second, "seed", 5);
    g.set_parameter(second, "start_sigma", 0.0);
    QString why;
    for (const Link& link : QVector<Link>{{{d, "denoiser"}, {first, "denoiser"}}, {{s, "schedule"}, {first, "schedule"}},
                                          {{d, "denoiser"}, {second, "denoiser"}}, {{s, "schedule"}, {second, "schedule"}},
                                          {{first, "images"}, {second, "picture"}}})
        QVERIFY2(g.connect(link, &why), qPrintable(why));
    const auto run = [&](QVariantMap* nfe) {
        Executor executor(packs_);
        RunContext context;
        QTemporaryDir out;
        context.output_dir = out.path();
        context.report = [nfe](const QString& node, const QString& key, double value) {
            if (key == "nfe") nfe->insert(node, value);
        };
        const RunOutcome outcome = executor.run(g, context, {second});
        if (!outcome.ok) qFatal("%s", qPrintable(outcome.error));
        return std::pair{std::any_cast<builtin::ImagesValue>(executor.outputs_of(first).value("images")).samples,
                         std::any_cast<builtin::ImagesValue>(executor.outputs_of(second).value("images")).samples};
    };
    QVariantMap nfe;
    const auto [pictures, same] = run(&nfe);
    QVERIFY(torch::equal(pictures, same));
    QCOMPARE(nfe.value(second).toDouble(), 0.0);
    QCOMPARE(nfe.value(first).toDouble(), 10.0);
    g.set_parameter(second, "start_sigma", -1.0);
    g.set_parameter(second, "strength", 0.5);
    const auto [again, halfway] = run(&nfe);
    QCOMPARE(nfe.value(second).toDouble(), 5.0);  // from level 4 of 0..9 (4.5 rounded away), Euler: one evaluation a level
    QVERIFY(!torch::equal(again, halfway));
    g.set_parameter(second, "start_sigma", 1000.0);  // above the top: from the first level, every evaluation
    run(&nfe);
    QCOMPARE(nfe.value(second).toDouble(), 10.0);
}

// Load Image converts a picture file to the linked denoiser's shape (3x32x32 here) and feeds a
// Sampler's start picture: at start σ 0 every sample is that picture; a file that is no picture
// is one sentence naming it.
void TestBuiltinNodes::loadImageFeedsTheSampler() {
    QTemporaryDir dir;
    const QString file = dir.filePath("wide.png");
    cv::imwrite(file.toStdString(), cv::Mat(30, 50, CV_8UC3, cv::Scalar(200, 40, 10)));  // blue, BGR
    Graph g(&packs_.registry());
    const QString d = g.add_node("irl.denoiser"), s = g.add_node("irl.schedule"), load = g.add_node("irl.load_image");
    const QString a = g.add_node("irl.sampler"), preview = g.add_node("irl.preview");
    g.set_parameter(d, "source", "torchscript");
    g.set_parameter(d, "file", QString(IRL_FIXTURE_DIR) + "/conv-colour-raw.pt");
    g.set_parameter(s, "steps", 4);
    g.set_parameter(load, "file", file);
    g.set_parameter(a, "count", 3);
    g.set_parameter(a, "start_sigma", 0.0);
    QString why;
    for (const Link& link : QVector<Link>{{{d, "denoiser"}, {load, "denoiser"}}, {{d, "denoiser"}, {a, "denoiser"}},
                                          {{s, "schedule"}, {a, "schedule"}}, {{load, "images"}, {a, "picture"}},
                                          {{a, "images"}, {preview, "images"}}})
        QVERIFY2(g.connect(link, &why), qPrintable(why));
    Executor executor(packs_);
    TrainerRun run;
    QStringList notices;
    run.context.notice = [&notices](const QString&, const QString& text) { notices << text; };
    QVERIFY2(link_and_run(executor, g, {}, run).isEmpty(), qPrintable(run.outcome.error));
    const torch::Tensor picture = std::any_cast<builtin::ImagesValue>(executor.outputs_of(load).value("images")).samples;
    QCOMPARE(picture.sizes(), (torch::IntArrayRef{1, 3, 32, 32}));
    QVERIFY(picture[0][2].mean().item<float>() > 0.5f && picture[0][0].mean().item<float>() < -0.8f);  // blue kept
    const torch::Tensor samples = std::any_cast<builtin::ImagesValue>(executor.outputs_of(a).value("images")).samples;
    QVERIFY(torch::equal(samples, picture.expand({3, 3, 32, 32})));
    QVERIFY2(notices.join("\n").contains("fitted 1 image of another size to 32x32 by centre-crop"), qPrintable(notices.join("\n")));
    g.set_parameter(load, "file", dir.filePath("missing.png"));
    TrainerRun bad;
    const QString error = link_and_run(executor, g, {}, bad);
    QVERIFY2(error.contains("missing.png") && error.contains("not an image OpenCV can read"), qPrintable(error));
}

IRL_TEST_CLASS("test_builtin_nodes", TestBuiltinNodes)
#include "test_builtin_nodes.moc"
