// The node types known to this process, filled by node packs; graphs resolve type ids here.
// Plain data, no plugin loading (see node_pack.h for that).
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

private:
    QHash<QString, NodeTypeInfo> types_;
    QHash<QString, QString> packs_;
};

}  // namespace irl::nodes
