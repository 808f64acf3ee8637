// The built-in node pack: denoisers, schedules, actions, the sampler, datasets, policies, the IRL
// trainer and the output nodes, built as a Qt plugin (QtCore only) and loaded like any third-party
// pack. Each node type is one class in the folder of its area; builtin_pack.cpp lists them once.
#pragma once

#include "irl/nodes/node_pack.h"

#include <QObject>

namespace irl::nodes::builtin {

class BuiltinPack : public QObject, public NodePackInterface {
    Q_OBJECT
    Q_PLUGIN_METADATA(IID IRL_NODE_PACK_IID FILE "builtin_pack.json")
    Q_INTERFACES(irl::nodes::NodePackInterface)

public:
    QString pack_name() const override { return QStringLiteral("builtin"); }
    QVector<PortTypeInfo> port_types() const override;
    QVector<NodeTypeInfo> node_types() const override;
    std::unique_ptr<NodeEvaluator> create(const QString& type) const override;
};

}  // namespace irl::nodes::builtin
