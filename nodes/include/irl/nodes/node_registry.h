// The node types and port types known to this process, filled by node packs; graphs resolve type
// ids here. Plain data, no plugin loading (see plugin_loader.h for that).
#pragma once

#include "irl/nodes/node_type.h"

#include <QHash>
#include <QStringList>

namespace irl::nodes {

class NodeRegistry {
public:
    // Adds or replaces a type; returns false (and keeps the first) when the id is taken by another pack.
    bool add(const NodeTypeInfo& info, const QString& pack = {});
    const NodeTypeInfo* find(const QString& id) const;
    QStringList ids() const;  // sorted
    QString pack_of(const QString& id) const { return packs_.value(id); }

    // The same for port types: the first pack to declare an id keeps it.
    bool add_port_type(const PortTypeInfo& info, const QString& pack = {});
    const PortTypeInfo* port_type(const QString& id) const;
    QStringList port_type_ids() const;  // sorted
    // The label of a port type, or its id when no pack declared it.
    QString port_label(const QString& id) const;

private:
    QHash<QString, NodeTypeInfo> types_;
    QHash<QString, QString> packs_;
    QHash<QString, PortTypeInfo> port_types_;
    QHash<QString, QString> port_packs_;
};

}  // namespace irl::nodes
