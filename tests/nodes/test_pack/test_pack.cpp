// A third-party node pack for the tests: proves that a pack built outside the studio adds nodes
// that wire into the built-in ones, declares a port type of its own, and gets the studio's
// training view and "use result" for its trainer through node-type traits alone (its ids are
// not the built-in pack's). Built twice: once for this interface, once for an old one.
#include "irl/nodes/node_class.h"
#include "irl/nodes/output_paths.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QObject>
#include <QThread>

#ifndef TEST_PACK_IID
#define TEST_PACK_IID IRL_NODE_PACK_IID
#endif

namespace {

using namespace irl::nodes;

const QString kToken = QStringLiteral("test.token");

class ImagesSink : public NodeEvaluator {
public:
    static NodeTypeInfo declaration() {
        NodeTypeInfo sink{"test.images_sink", "Images Sink", "Test", "Accepts images", {{"images", "images"}}, {},
                          {ParameterSchema::number("tag", "Tag", 0.0, -100.0, 100.0)}};
        sink.is_output = true;
        return sink;
    }
    Values evaluate(const Values& inputs, const QVariantMap& parameters, RunContext& context) override {
        if (!inputs.contains("images") || !inputs.value("images").has_value()) throw std::runtime_error("no images arrived");
        if (context.report) context.report(context.node, "tag", parameters.value("tag").toDouble());
        return {{"seen", std::any(true)}};
    }
};

// A value of the pack's own port type, and a node that consumes it.
class TokenSource : public NodeEvaluator {
public:
    static NodeTypeInfo declaration() {
        return {"test.token_source", "Token Source", "Test", "Makes a token", {}, {{"token", kToken}},
                {ParameterSchema::number("value", "Value", 1.0, -1000.0, 1000.0)}};
    }
    Values evaluate(const Values&, const QVariantMap& parameters, RunContext&) override {
        return {{"token", std::any(parameters.value("value").toDouble())}};
    }
};

class TokenSink : public NodeEvaluator {
public:
    static NodeTypeInfo declaration() {
        NodeTypeInfo t{"test.token_sink", "Token Sink", "Test", "Reports the token it gets", {{"token", kToken}}, {}, {}};
        t.is_output = true;
        return t;
    }
    Values evaluate(const Values& inputs, const QVariantMap&, RunContext& context) override {
        const double value = std::any_cast<double>(inputs.value("token"));
        if (context.report) context.report(context.node, "token", value);
        return {};
    }
};

// A trainer that counts: interactive (pause, stop), reports a curve per iteration and writes its
// count to a file that a Count Reader loads.
class CounterTrainer : public NodeEvaluator {
public:
    static NodeTypeInfo declaration() {
        NodeTypeInfo t{"test.counter_trainer", "Counter Trainer", "Test", "Counts iterations", {}, {{"token", kToken}},
                       {ParameterSchema::integer("iterations", "Iterations", 10, 1, 100000),
                        ParameterSchema::text("save", "Save as", "", "empty: <node>-count.txt")}};
        t.traits.interactive_training = true;
        t.traits.output_file = OutputFile{"save", "{node}-count.txt", "test.count_reader", "file", {{"scale", 2.0}}, "count", {}, {}, {}, {}, {}};
        return t;
    }
    Values evaluate(const Values&, const QVariantMap& parameters, RunContext& context) override {
        const QString file = output_file_path(*declaration().traits.output_file, context.node, parameters, context.output_dir);
        const int iterations = parameters.value("iterations").toInt();
        int done = 0;
        while (done < iterations) {
            while (context.training && context.training->paused && !context.training->stop &&
                   !(context.cancel && context.cancel->cancelled()))
                QThread::msleep(10);
            if (context.cancel) context.cancel->throw_if_cancelled();
            if (context.training && context.training->stop) break;
            ++done;
            TrainingReport report;
            report.node = context.node;
            report.iteration = done;
            report.total = iterations;
            report.status = QString("counted %1").arg(done);
            report.curves = {{"Count", "count", "count", double(done), false}};
            if (context.training_report) context.training_report(report);
            QThread::msleep(20);
        }
        QFile out(file);
        if (!out.open(QIODevice::WriteOnly)) throw std::runtime_error("cannot write " + file.toStdString());
        out.write(QByteArray::number(done));
        if (context.report) context.report(context.node, "iterations", done);
        return {{"token", std::any(double(done))}};
    }
};

class CountReader : public NodeEvaluator {
public:
    static NodeTypeInfo declaration() {
        return {"test.count_reader", "Count Reader", "Test", "Reads a count file", {}, {{"token", kToken}},
                {ParameterSchema::file("file", "File", "Counts (*.txt)"), ParameterSchema::number("scale", "Scale", 1.0, 0.0, 100.0)}};
    }
    Values evaluate(const Values&, const QVariantMap& parameters, RunContext&) override {
        QFile in(parameters.value("file").toString());
        if (!in.open(QIODevice::ReadOnly)) throw std::runtime_error("cannot read the count file");
        return {{"token", std::any(in.readAll().toDouble() * parameters.value("scale").toDouble())}};
    }
};

const NodeClassList& classes() {
    static const NodeClassList list{NodeClass::of<ImagesSink>(), NodeClass::of<TokenSource>(), NodeClass::of<TokenSink>(),
                                    NodeClass::of<CounterTrainer>(), NodeClass::of<CountReader>()};
    return list;
}

}  // namespace

class TestPack : public QObject, public irl::nodes::NodePackInterface {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID TEST_PACK_IID)
    Q_INTERFACES(irl::nodes::NodePackInterface)

public:
    QString pack_name() const override { return QStringLiteral(TEST_PACK_NAME); }
    QVector<PortTypeInfo> port_types() const override { return {{kToken, "Token", "#00bcd4", "A number the test nodes pass on"}}; }
    QVector<NodeTypeInfo> node_types() const override { return classes().node_types(); }
    std::unique_ptr<NodeEvaluator> create(const QString& type) const override { return classes().create(type); }
};

#include "test_pack.moc"
