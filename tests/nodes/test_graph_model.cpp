// The graph model's rules: typed links, one link per input, no cycles, each refusal with a
// reason; ids, parameters through their schema, dependency order restricted to outputs.
#include "test_types.h"

#include "irl/nodes/graph.h"

#include <QtTest/QtTest>

using namespace irl::nodes;

class TestGraphModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void addNodesWithDefaults();
    void linkRules();
    void actionKindsKeepToTheirPorts();
    void parametersGoThroughSchema();
    void removeNodeDropsLinks();
    void topologicalOrder();

private:
    NodeRegistry registry_ = test_registry();
};

void TestGraphModel::addNodesWithDefaults() {
    Graph g(&registry_);
    QCOMPARE(g.add_node("irl.sampler"), QString("sampler-1"));
    QCOMPARE(g.add_node("irl.sampler"), QString("sampler-2"));
    QCOMPARE(g.node("sampler-1")->parameters.value("seed").toLongLong(), 0);
    QString error;
    QVERIFY(g.add_node("irl.nope", &error).isEmpty());
    QVERIFY(error.contains("irl.nope"));
    QVERIFY(g.add_node("irl.schedule", &error, "sampler-1").isEmpty());
    QVERIFY(error.contains("exists"));
}

void TestGraphModel::linkRules() {
    Graph g(&registry_);
    const QString d = g.add_node("irl.denoiser"), s = g.add_node("irl.schedule"), a = g.add_node("irl.sampler");
    const QString p1 = g.add_node("irl.pass"), p2 = g.add_node("irl.pass");
    QString why;
    QVERIFY(g.connect({{d, "denoiser"}, {a, "denoiser"}}, &why));
    // Wrong type: a schedule cannot feed a denoiser input.
    QVERIFY(!g.connect({{s, "schedule"}, {a, "denoiser"}}, &why));
    QVERIFY2(why.contains("schedule") && why.contains("denoiser"), qPrintable(why));
    // One link per input.
    const QString d2 = g.add_node("irl.denoiser");
    QVERIFY(!g.connect({{d2, "denoiser"}, {a, "denoiser"}}, &why));
    QVERIFY2(why.contains("already connected"), qPrintable(why));
    // Unknown port.
    QVERIFY(!g.connect({{s, "sigmas"}, {a, "schedule"}}, &why));
    QVERIFY2(why.contains("sigmas"), qPrintable(why));
    // Cycles are refused, including a self-link.
    QVERIFY(g.connect({{a, "images"}, {p1, "images"}}));
    QVERIFY(g.connect({{p1, "images"}, {p2, "images"}}));
    QVERIFY(!g.connect({{p2, "images"}, {p1, "images"}}, &why));  // input taken anyway; check a real cycle:
    g.disconnect({{a, "images"}, {p1, "images"}});
    QVERIFY(!g.connect({{p2, "images"}, {p1, "images"}}, &why));
    QVERIFY2(why.contains("cycle"), qPrintable(why));
    QVERIFY(!g.connect({{p1, "images"}, {p1, "images"}}, &why) && why.contains("cycle"));
    QVERIFY(g.why_not({{s, "schedule"}, {a, "schedule"}}).isEmpty());
}

void TestGraphModel::actionKindsKeepToTheirPorts() {
    // Each action kind is its own port type: a Guidance node feeds the guidance input only, and
    // the refusal names both kinds.
    Graph g(&registry_);
    const QString guidance = g.add_node("irl.guidance"), churn = g.add_node("irl.churn"), a = g.add_node("irl.sampler");
    QString why;
    QVERIFY(!g.connect({{guidance, "action"}, {a, "churn"}}, &why));
    QCOMPARE(why, QString("the input 'churn' of sampler-1 takes a Churn action, and guidance-1 gives a Guidance action"));
    QVERIFY(g.connect({{guidance, "action"}, {a, "guidance"}}, &why));
    QVERIFY(g.connect({{churn, "action"}, {a, "churn"}}, &why));
    QVERIFY2(g.why_not({{churn, "action"}, {a, "guidance"}}).contains("takes a Guidance action"), qPrintable(g.why_not({{churn, "action"}, {a, "guidance"}})));
}

void TestGraphModel::parametersGoThroughSchema() {
    Graph g(&registry_);
    const QString s = g.add_node("irl.schedule");
    QString why;
    QVERIFY(g.set_parameter(s, "steps", 40, &why));
    QCOMPARE(g.node(s)->parameters.value("steps").toLongLong(), 40);
    QVERIFY(!g.set_parameter(s, "steps", 0, &why));
    QVERIFY2(why.contains("expected an integer in 1..1000, got 0"), qPrintable(why));
    QVERIFY(!g.set_parameter(s, "steps", "ten", &why));
    QVERIFY2(why.contains("got \"ten\""), qPrintable(why));
    QVERIFY(!g.set_parameter(s, "steps", 2.5, &why));
    QVERIFY(!g.set_parameter(s, "rho", 7, &why) && why.contains("rho"));
    QCOMPARE(g.node(s)->parameters.value("steps").toLongLong(), 40);  // refused edits change nothing
}

void TestGraphModel::removeNodeDropsLinks() {
    Graph g(&registry_);
    const QString d = g.add_node("irl.denoiser"), a = g.add_node("irl.sampler");
    QVERIFY(g.connect({{d, "denoiser"}, {a, "denoiser"}}));
    g.view().positions.insert(d, {10, 20});
    QVERIFY(g.remove_node(d));
    QVERIFY(g.links().isEmpty());
    QVERIFY(!g.view().positions.contains(d));
    QVERIFY(!g.remove_node(d));
}

void TestGraphModel::topologicalOrder() {
    Graph g(&registry_);
    const QString save = g.add_node("irl.save_image");
    const QString a = g.add_node("irl.sampler"), d = g.add_node("irl.denoiser"), s = g.add_node("irl.schedule");
    const QString unused = g.add_node("irl.schedule");
    QVERIFY(g.connect({{d, "denoiser"}, {a, "denoiser"}}));
    QVERIFY(g.connect({{s, "schedule"}, {a, "schedule"}}));
    QVERIFY(g.connect({{a, "images"}, {save, "images"}}));
    QCOMPARE(g.output_nodes(), QStringList{save});
    const QStringList order = g.topological_order(g.output_nodes());
    QCOMPARE(order.size(), 4);  // the unused schedule does not feed the output
    QVERIFY(!order.contains(unused));
    QVERIFY(order.indexOf(d) < order.indexOf(a) && order.indexOf(s) < order.indexOf(a));
    QCOMPARE(order.last(), save);
    QCOMPARE(g.topological_order().size(), 5);
}

QTEST_GUILESS_MAIN(TestGraphModel)
#include "test_graph_model.moc"
