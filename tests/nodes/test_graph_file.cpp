// Graph files: save -> load -> save byte-identical, problems reported by place, unknown node
// types kept, version 1 files migrated, atomic saving.
#include "test_types.h"

#include "irl/nodes/graph_file.h"

#include <QtTest/QtTest>
#include <QTemporaryDir>

using namespace irl::nodes;

namespace {

Graph sample_graph(const NodeRegistry& registry) {
    Graph g(&registry);
    const QString d = g.add_node("irl.denoiser"), s = g.add_node("irl.schedule"), a = g.add_node("irl.sampler");
    const QString save = g.add_node("irl.save_image");
    g.connect({{d, "denoiser"}, {a, "denoiser"}});
    g.connect({{s, "schedule"}, {a, "schedule"}});
    g.connect({{a, "images"}, {save, "images"}});
    g.set_parameter(s, "sigma_max", 79.5);
    g.set_parameter(a, "seed", 1234);
    g.view().positions.insert(d, {-120.5, 40});
    g.view().positions.insert(a, {100, 0.25});
    g.view().zoom = 1.5;
    return g;
}

}  // namespace

class TestGraphFile : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTripIsByteIdentical();
    void problemsByPlace();
    void unknownTypesAreKept();
    void migratesVersion1();
    void atomicSave();

private:
    NodeRegistry registry_ = test_registry();
};

void TestGraphFile::roundTripIsByteIdentical() {
    const QByteArray first = write_graph(sample_graph(registry_));
    const GraphLoadResult loaded = read_graph(first, registry_);
    QVERIFY2(loaded.graph, qPrintable(loaded.summary()));
    QVERIFY(loaded.problems.isEmpty());
    QCOMPARE(write_graph(*loaded.graph), first);
    QCOMPARE(loaded.graph->view().zoom, 1.5);
    QCOMPARE(loaded.graph->links().size(), 3);
}

void TestGraphFile::problemsByPlace() {
    QByteArray text = write_graph(sample_graph(registry_));
    text.replace("\"steps\": 18", "\"steps\": \"ten\"");
    text.replace("\"seed\": 1234", "\"seed\": -5");
    const GraphLoadResult r = read_graph(text, registry_, "broken.json");
    QVERIFY(!r.graph);
    const QString all = r.summary();
    QVERIFY2(all.contains("broken.json: nodes[1].params.steps: expected an integer in 1..1000, got \"ten\""), qPrintable(all));
    QVERIFY2(all.contains("nodes[2].params.seed: expected an integer in 0..1000000000, got -5"), qPrintable(all));

    QVERIFY(read_graph("{\"format\": \"something\"}", registry_).summary().contains("format: expected \"irlstudio-graph\""));
    QVERIFY(read_graph("{\"format\": \"irlstudio-graph\", \"version\": 99, \"nodes\": []}", registry_)
                .summary().contains("newer studio"));
    QVERIFY(read_graph("{ nope", registry_).summary().contains("not valid JSON"));
    // A link of the wrong type, by place.
    QByteArray wrong = write_graph(sample_graph(registry_));
    wrong.replace("\"port\": \"schedule\"\n            },\n            \"to\": {\n                \"node\": \"sampler-1\",\n                \"port\": \"schedule\"",
                  "\"port\": \"schedule\"\n            },\n            \"to\": {\n                \"node\": \"sampler-1\",\n                \"port\": \"denoiser\"");
    const GraphLoadResult w = read_graph(wrong, registry_);
    QVERIFY2(w.summary().contains("links[1]:"), qPrintable(w.summary() + "\n" + QString(wrong)));
}

void TestGraphFile::unknownTypesAreKept() {
    QByteArray text = write_graph(sample_graph(registry_));
    text.replace("\"irl.save_image\"", "\"thirdparty.fancy_output\"");
    const GraphLoadResult r = read_graph(text, registry_);
    QVERIFY2(r.graph, qPrintable(r.summary()));
    QCOMPARE(r.problems.size(), 1);
    QVERIFY(!r.problems[0].fatal);
    QVERIFY(r.problems[0].text().contains("thirdparty.fancy_output"));
    const Node* kept = r.graph->node("save_image-1");
    QVERIFY(kept && kept->unknown_type);
    QCOMPARE(kept->parameters.value("path").toString(), QString("out.png"));
    QCOMPARE(r.graph->links().size(), 3);
    QCOMPARE(write_graph(*r.graph), text);  // saving loses nothing of it
}

void TestGraphFile::migratesVersion1() {
    const QByteArray v1 = R"({"format": "irlstudio-graph", "version": 1,
        "nodes": [{"id": "a", "type": "irl.schedule", "parameters": {"steps": 30}, "position": [5, 6]},
                  {"id": "b", "type": "irl.denoiser", "position": [7, 8]}],
        "links": []})";
    const GraphLoadResult r = read_graph(v1, registry_);
    QVERIFY2(r.graph, qPrintable(r.summary()));
    QCOMPARE(r.version, 1);
    QCOMPARE(r.graph->node("a")->parameters.value("steps").toLongLong(), 30);
    QCOMPARE(r.graph->view().positions.value("b"), QPointF(7, 8));
    QVERIFY(write_graph(*r.graph).contains("\"version\": 2"));
}

void TestGraphFile::atomicSave() {
    QTemporaryDir dir;
    const QString path = dir.filePath("g.json");
    QVERIFY(save_graph_file(sample_graph(registry_), path));
    const GraphLoadResult r = load_graph_file(path, registry_);
    QVERIFY(r.graph);
    QString error;
    QVERIFY(!save_graph_file(*r.graph, dir.filePath("missing-folder/g.json"), &error));
    QVERIFY(error.contains("missing-folder"));
    QVERIFY(!load_graph_file(dir.filePath("nothing.json"), registry_).graph);
}

QTEST_GUILESS_MAIN(TestGraphFile)
#include "test_graph_file.moc"
