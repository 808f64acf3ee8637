// Node packs and the executor: plugins found in folders (broken and old ones skipped with a
// warning), a third-party node wired to built-in ones, caching by signature, failure and cancel.
#include "irl/nodes/executor.h"
#include "irl/nodes/graph_file.h"

#include <QtTest/QtTest>
#include <QTemporaryDir>

using namespace irl::nodes;

class TestExecutor : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void packsLoadAndBrokenOnesAreSkipped();
    void exampleGraphsLoadCleanly();
    void runsAndCaches();
    void thirdPartyNodeJoinsBuiltins();
    void packsDeclareTheirOwnPortTypes();
    void failureNamesTheNode();
    void cancelKeepsFinishedNodes();
    void trainsAPolicyAndSamplesWithIt();
    void biasCorrectionGraphRuns();

private:
    Graph toy_graph() const;
    QTemporaryDir junk_;
    NodePacks packs_;
};

void TestExecutor::initTestCase() {
    // A file that only pretends to be a plugin.
    QFile fake(junk_.filePath("libbroken.so"));
    QVERIFY(fake.open(QIODevice::WriteOnly));
    fake.write("not a shared object");
    fake.close();
    packs_.load({IRL_PLUGIN_BUILD_DIR, TEST_PACK_DIR, OLD_PACK_DIR, junk_.path()});
}

Graph TestExecutor::toy_graph() const {
    const GraphLoadResult r = load_graph_file(IRL_GRAPHS_DIR "/toy-2d.json", packs_.registry());
    if (!r.graph) qFatal("%s", qPrintable(r.summary()));
    return *r.graph;
}

void TestExecutor::packsLoadAndBrokenOnesAreSkipped() {
    const QString loaded = packs_.loaded().join(" | ");
    QVERIFY2(loaded.contains("builtin") && loaded.contains("testpack"), qPrintable(loaded));
    QVERIFY2(!loaded.contains("oldpack"), qPrintable(loaded));
    const QString warnings = packs_.warnings().join("\n");
    QVERIFY2(warnings.contains("libbroken.so"), qPrintable(warnings));
    QVERIFY2(warnings.contains("org.irlstudio.NodePack/0"), qPrintable(warnings));
    QVERIFY(packs_.registry().find("irl.sampler"));
    QVERIFY(packs_.registry().find("test.images_sink"));

    // With no folders given: IRLSTUDIO_PLUGIN_PATH, then the install and build trees.
    qputenv("IRLSTUDIO_PLUGIN_PATH", QByteArray(TEST_PACK_DIR) + ":/nonexistent");
    NodePacks from_environment;
    from_environment.load();
    qunsetenv("IRLSTUDIO_PLUGIN_PATH");
    QVERIFY(from_environment.registry().find("test.images_sink"));
    QVERIFY(from_environment.registry().find("irl.sampler"));  // the build tree's built-in pack
}

void TestExecutor::exampleGraphsLoadCleanly() {
    const QDir dir(IRL_GRAPHS_DIR);
    const QStringList files = dir.entryList({"*.json"});
    QVERIFY(files.size() >= 3);
    for (const QString& file : files) {
        const GraphLoadResult r = load_graph_file(dir.filePath(file), packs_.registry());
        QVERIFY2(r.graph && r.problems.isEmpty(), qPrintable(r.summary()));
        QVERIFY2(!r.graph->output_nodes().isEmpty(), qPrintable(file));
    }
}

void TestExecutor::runsAndCaches() {
    QTemporaryDir out;
    Graph graph = toy_graph();
    Executor executor(packs_);
    RunContext context;
    context.output_dir = out.path();
    QStringList statuses;
    executor.on_status = [&](const QString& node, NodeStatus status, const QString&) {
        if (status != NodeStatus::Pending) statuses << node + ":" + to_string(status);
    };
    RunOutcome first = executor.run(graph, context);
    QVERIFY2(first.ok, qPrintable(first.error));
    QCOMPARE(first.nodes.value("sampler-1").status, NodeStatus::Done);
    QCOMPARE(first.nodes.value("sampler-1").numbers.value("nfe").toDouble(), 35.0);
    QVERIFY(QFile::exists(out.filePath("toy-ring8.png")));
    QVERIFY(statuses.contains("sampler-1:running"));
    // Heun at 35 evaluations on the ring: exact log density of the clean data is high.
    QVERIFY(first.nodes.value("evaluate-1").numbers.value("mean_log_density").toDouble() > -2.0);

    // Nothing changed: everything comes from the cache.
    RunOutcome again = executor.run(graph, context);
    for (const QString& id : again.order) QCOMPARE(again.nodes.value(id).status, NodeStatus::Cached);
    // A Preview parameter does not re-sample ...
    QVERIFY(graph.set_parameter("preview-1", "zoom", 4));
    RunOutcome preview = executor.run(graph, context);
    QCOMPARE(preview.nodes.value("sampler-1").status, NodeStatus::Cached);
    QCOMPARE(preview.nodes.value("preview-1").status, NodeStatus::Done);
    // ... a new seed does, and what depends on it.
    QVERIFY(graph.set_parameter("sampler-1", "seed", 7));
    RunOutcome reseeded = executor.run(graph, context);
    QCOMPARE(reseeded.nodes.value("denoiser-1").status, NodeStatus::Cached);
    QCOMPARE(reseeded.nodes.value("sampler-1").status, NodeStatus::Done);
    QCOMPARE(reseeded.nodes.value("save_image-1").status, NodeStatus::Done);
    // Each node keeps its latest result only: twenty seeds later, one entry per node is cached.
    const int per_graph = executor.cached_results();
    QCOMPARE(per_graph, again.order.size());
    for (int seed = 8; seed < 28; ++seed) {
        QVERIFY(graph.set_parameter("sampler-1", "seed", seed));
        QVERIFY(executor.run(graph, context).ok);
    }
    QCOMPARE(executor.cached_results(), per_graph);
    // Going back to seed 7 samples again (the result for it was dropped), and deleting a node
    // drops its result too.
    QVERIFY(graph.set_parameter("sampler-1", "seed", 7));
    QCOMPARE(executor.run(graph, context).nodes.value("sampler-1").status, NodeStatus::Done);
    QVERIFY(graph.remove_node("evaluate-1"));
    QVERIFY(executor.run(graph, context).ok);
    QCOMPARE(executor.cached_results(), per_graph - 1);
}

void TestExecutor::thirdPartyNodeJoinsBuiltins() {
    Graph graph = toy_graph();
    QString error;
    const QString sink = graph.add_node("test.images_sink", &error);
    QVERIFY2(!sink.isEmpty(), qPrintable(error));
    QVERIFY(graph.set_parameter(sink, "tag", 42));
    QVERIFY2(graph.connect({{"sampler-1", "images"}, {sink, "images"}}, &error), qPrintable(error));
    QTemporaryDir out;
    Executor executor(packs_);
    RunContext context;
    context.output_dir = out.path();
    const RunOutcome outcome = executor.run(graph, context, {sink});
    QVERIFY2(outcome.ok, qPrintable(outcome.error));
    QCOMPARE(outcome.nodes.value(sink).numbers.value("tag").toDouble(), 42.0);
    QVERIFY(!outcome.nodes.contains("save_image-1"));  // only what feeds the target ran
    QVERIFY(std::any_cast<bool>(executor.outputs_of(sink).value("seen")));
}

void TestExecutor::packsDeclareTheirOwnPortTypes() {
    // The test pack declares "test.token" (name and colour); two of its nodes link through it, and
    // it joins equal types only.
    const PortTypeInfo* token = packs_.registry().port_type("test.token");
    QVERIFY(token);
    QCOMPARE(token->label, QString("Token"));
    QCOMPARE(token->colour, QString("#00bcd4"));
    QVERIFY(packs_.registry().port_type("action.churn"));  // the built-in pack's are declared the same way
    Graph graph(&packs_.registry());
    const QString source = graph.add_node("test.token_source"), sink = graph.add_node("test.token_sink");
    const QString images = graph.add_node("test.images_sink");
    QVERIFY(graph.set_parameter(source, "value", 7.5));
    QString why;
    QVERIFY2(graph.connect({{source, "token"}, {sink, "token"}}, &why), qPrintable(why));
    QVERIFY(!graph.connect({{source, "token"}, {images, "images"}}, &why));
    QVERIFY2(why.contains("takes an Images value") || why.contains("takes an Images"), qPrintable(why));
    QVERIFY2(why.contains("gives a Token"), qPrintable(why));
    QTemporaryDir out;
    Executor executor(packs_);
    RunContext context;
    context.output_dir = out.path();
    const RunOutcome outcome = executor.run(graph, context, {sink});
    QVERIFY2(outcome.ok, qPrintable(outcome.error));
    QCOMPARE(outcome.nodes.value(sink).numbers.value("token").toDouble(), 7.5);
}

void TestExecutor::failureNamesTheNode() {
    Graph graph = toy_graph();
    QVERIFY(graph.remove_node("schedule-1"));
    Executor executor(packs_);
    RunContext context;
    QTemporaryDir out;
    context.output_dir = out.path();
    RunOutcome outcome = executor.run(graph, context);
    QVERIFY(!outcome.ok);
    QVERIFY2(outcome.error.contains("sampler-1") && outcome.error.contains("schedule"), qPrintable(outcome.error));
    QCOMPARE(outcome.nodes.value("sampler-1").status, NodeStatus::Failed);
    // An engine error (a class the toy does not have) reaches the node's status.
    graph = toy_graph();
    QVERIFY(graph.set_parameter("sampler-1", "class", 12));
    outcome = executor.run(graph, context);
    QVERIFY2(outcome.error.contains("class 12"), qPrintable(outcome.error));
}

void TestExecutor::cancelKeepsFinishedNodes() {
    Graph graph = toy_graph();
    QVERIFY(graph.set_parameter("schedule-1", "steps", 200));
    Executor executor(packs_);
    irl::CancelToken token;
    RunContext context;
    QTemporaryDir out;
    context.output_dir = out.path();
    context.cancel = &token;
    context.progress = [&](const QString&, double fraction, const QString&) {
        if (fraction > 0.1) token.cancel();
    };
    const RunOutcome cancelled = executor.run(graph, context);
    QVERIFY(cancelled.cancelled);
    QVERIFY(!QFile::exists(out.filePath("toy-ring8.png")));
    token.reset();
    context.progress = nullptr;
    const RunOutcome resumed = executor.run(graph, context);
    QVERIFY(resumed.ok);
    QCOMPARE(resumed.nodes.value("denoiser-1").status, NodeStatus::Cached);
    QCOMPARE(resumed.nodes.value("sampler-1").status, NodeStatus::Done);
}

void TestExecutor::trainsAPolicyAndSamplesWithIt() {
    const GraphLoadResult r = load_graph_file(IRL_GRAPHS_DIR "/train-policy-toy.json", packs_.registry());
    QVERIFY2(r.graph, qPrintable(r.summary()));
    Graph graph = *r.graph;
    QVERIFY(graph.set_parameter("irl_trainer-1", "iterations", 5));
    // The action node's noise-level range reaches the trainer: an empty range is refused by name.
    QVERIFY(graph.set_parameter("churn-1", "sigma_min", 5.0));
    QVERIFY(graph.set_parameter("churn-1", "sigma_max", 1.0));
    {
        QTemporaryDir scratch;
        Executor executor(packs_);
        RunContext context;
        context.output_dir = scratch.path();
        const RunOutcome refused = executor.run(graph, context);
        QVERIFY(!refused.ok);
        QVERIFY2(refused.error.contains("Policy from σ"), qPrintable(refused.error));
    }
    QVERIFY(graph.set_parameter("churn-1", "sigma_min", 0.05));
    QVERIFY(graph.set_parameter("churn-1", "sigma_max", 30.0));
    QTemporaryDir out;
    Executor executor(packs_);
    RunContext context;
    context.output_dir = out.path();
    const RunOutcome trained = executor.run(graph, context);
    QVERIFY2(trained.ok, qPrintable(trained.error));
    QVERIFY(trained.nodes.value("irl_trainer-1").numbers.value("training_evaluations").toDouble() > 0);
    const QString policy_file = out.filePath("ring8-policy.pt");
    QVERIFY(QFile::exists(policy_file));
    QVERIFY(QFile::exists(out.filePath("ring8-learned.png")));

    // A Policy node reads the file back and drives a sampler with the same setup ...
    Graph replay(&packs_.registry());
    const QString d = replay.add_node("irl.denoiser"), s = replay.add_node("irl.schedule"), p = replay.add_node("irl.policy");
    const QString a = replay.add_node("irl.sampler"), e = replay.add_node("irl.evaluate");
    QVERIFY(replay.set_parameter(d, "source", "toy"));
    QVERIFY(replay.set_parameter(s, "steps", 6));
    QVERIFY(replay.set_parameter(a, "solver", "euler"));
    QVERIFY(replay.set_parameter(p, "file", policy_file));
    for (const Link& link : QVector<Link>{{{d, "denoiser"}, {a, "denoiser"}}, {{s, "schedule"}, {a, "schedule"}},
                                          {{p, "policy"}, {a, "policy"}}, {{a, "images"}, {e, "images"}}})
        QVERIFY(replay.connect(link));
    const RunOutcome replayed = executor.run(replay, context);
    QVERIFY2(replayed.ok, qPrintable(replayed.error));
    // ... and is refused, saying why, with another schedule.
    QVERIFY(replay.set_parameter(s, "steps", 9));
    const RunOutcome refused = executor.run(replay, context);
    QVERIFY(!refused.ok);
    QVERIFY2(refused.error.contains("another setup") && refused.error.contains("9 levels"), qPrintable(refused.error));
}

// The bias-correction example (footwear-only expert data, unconditional sampling, a restart
// decision limited to one noise level) runs end to end; its real length is cut to one iteration.
void TestExecutor::biasCorrectionGraphRuns() {
    const GraphLoadResult r = load_graph_file(IRL_GRAPHS_DIR "/bias-correction.json", packs_.registry());
    QVERIFY2(r.graph, qPrintable(r.summary()));
    Graph graph = *r.graph;
    QVERIFY(graph.set_parameter("irl_trainer-1", "iterations", 1));
    QVERIFY(graph.set_parameter("irl_trainer-1", "batch", 8));
    QVERIFY(graph.set_parameter("irl_trainer-1", "eval_every", 0));
    QVERIFY(graph.set_parameter("sampler-1", "count", 8));
    QTemporaryDir out;
    Executor executor(packs_);
    RunContext context;
    context.output_dir = out.path();
    const RunOutcome outcome = executor.run(graph, context);
    QVERIFY2(outcome.ok, qPrintable(outcome.error));
    QVERIFY(QFile::exists(out.filePath("footwear-policy.pt")));
    QVERIFY(QFile::exists(out.filePath("footwear-biased.png")));
    QVERIFY(outcome.nodes.value("evaluate-1").numbers.contains("fd"));
}

QTEST_GUILESS_MAIN(TestExecutor)
#include "test_executor.moc"
