// A third-party node pack for the tests: proves that a pack built outside the studio adds nodes
// that wire into the built-in ones. Built twice: once for this interface, once for an old one.
#include "irl/nodes/node_pack.h"

#include <QObject>

#ifndef TEST_PACK_IID
#define TEST_PACK_IID IRL_NODE_PACK_IID
#endif

namespace {

class ImagesSink : public irl::nodes::NodeEvaluator {
public:
    irl::nodes::Values evaluate(const irl::nodes::Values& inputs, const QVariantMap& parameters,
                                irl::nodes::RunContext& context) override {
        if (!inputs.contains("images") || !inputs.value("images").has_value()) throw std::runtime_error("no images arrived");
        if (context.report) context.report(context.node, "tag", parameters.value("tag").toDouble());
        return {{"seen", std::any(true)}};
    }
};

}  // namespace

class TestPack : public QObject, public irl::nodes::NodePackInterface {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID TEST_PACK_IID)
    Q_INTERFACES(irl::nodes::NodePackInterface)

public:
    QString pack_name() const override { return QStringLiteral(TEST_PACK_NAME); }
    QVector<irl::nodes::NodeTypeInfo> node_types() const override {
        using namespace irl::nodes;
        NodeTypeInfo sink{"test.images_sink", "Images Sink", "Test", "Accepts images", {{"images", PortType::Images}}, {},
                          {ParameterSchema::number("tag", "Tag", 0.0, -100.0, 100.0)}};
        sink.is_output = true;
        return {sink};
    }
    std::unique_ptr<irl::nodes::NodeEvaluator> create(const QString& type) const override {
        if (type == "test.images_sink") return std::make_unique<ImagesSink>();
        return nullptr;
    }
};

#include "test_pack.moc"
