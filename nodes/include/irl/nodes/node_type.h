// What a node type declares: its typed input and output ports and its parameter schema.
// Node packs (plugins) provide these; the graph model and files check against them.
#pragma once

#include "irl/nodes/parameter_schema.h"

#include <QString>
#include <QStringList>
#include <QVariantMap>
#include <QVector>

namespace irl::nodes {

// The kinds of values that flow along links.
enum class PortType { Denoiser, Schedule, Action, Policy, Dataset, Images, Trajectory, Metrics };
QString to_string(PortType type);
std::optional<PortType> port_type_from_string(const QString& name);
QStringList port_type_names();

struct PortSpec {
    QString name;
    PortType type = PortType::Images;
    QString tooltip;
    bool optional = false;  // an input that may stay unconnected
};

struct NodeTypeInfo {
    QString id;            // stable, reverse-DNS-like: "irl.sampler"
    QString display_name;  // "Sampler"
    QString category;      // palette group: "Sampling", "Models", "Data", "Learning", "Output"
    QString description;
    QVector<PortSpec> inputs;
    QVector<PortSpec> outputs;
    QVector<ParameterSchema> parameters;
    bool is_output = false;  // an output node: running the graph computes what feeds it

    const PortSpec* input(const QString& name) const;
    const PortSpec* output(const QString& name) const;
    const ParameterSchema* parameter(const QString& name) const;
    QVariantMap default_parameters() const;
};

}  // namespace irl::nodes
