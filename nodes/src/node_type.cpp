#include "irl/nodes/node_type.h"

#include "irl/engine/enum_names.h"


namespace irl::nodes {
namespace {

constexpr EnumNames<PortType, 8> kPortNames = {{
    {PortType::Denoiser, "denoiser"}, {PortType::Schedule, "schedule"}, {PortType::Action, "action"},
    {PortType::Policy, "policy"},     {PortType::Dataset, "dataset"},   {PortType::Images, "images"},
    {PortType::Trajectory, "trajectory"}, {PortType::Metrics, "metrics"},
}};
static_assert(in_enum_order(kPortNames), "kPortNames must follow enum PortType");

}  // namespace

QString to_string(PortType type) { return enum_name(kPortNames, type); }

std::optional<PortType> port_type_from_string(const QString& name) {
    for (const auto& [type, text] : kPortNames)
        if (name == text) return type;
    return std::nullopt;
}

QStringList port_type_names() {
    QStringList names;
    for (const auto& [type, text] : kPortNames) names << text;
    return names;
}

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
