#include "irl/nodes/node_type.h"

namespace irl::nodes {

const PortSpec* NodeTypeInfo::input(const QString& name) const {
    for (const PortSpec& p : inputs)
        if (p.name == name) return &p;
    return nullptr;
}

const PortSpec* NodeTypeInfo::output(const QString& name) const {
    for (const PortSpec& p : outputs)
        if (p.name == name) return &p;
    return nullptr;
}

const ParameterSchema* NodeTypeInfo::parameter(const QString& name) const {
    for (const ParameterSchema& p : parameters)
        if (p.name == name) return &p;
    return nullptr;
}

QVariantMap NodeTypeInfo::default_parameters() const {
    QVariantMap values;
    for (const ParameterSchema& p : parameters) values.insert(p.name, p.default_value);
    return values;
}

}  // namespace irl::nodes
