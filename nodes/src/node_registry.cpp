#include "irl/nodes/node_registry.h"

#include <algorithm>

namespace irl::nodes {

bool NodeRegistry::add(const NodeTypeInfo& info, const QString& pack) {
    if (types_.contains(info.id) && packs_.value(info.id) != pack) return false;
    types_.insert(info.id, info);
    packs_.insert(info.id, pack);
    return true;
}

const NodeTypeInfo* NodeRegistry::find(const QString& id) const {
    const auto it = types_.constFind(id);
    return it == types_.constEnd() ? nullptr : &it.value();
}

QStringList NodeRegistry::ids() const {
    QStringList ids = types_.keys();
    std::sort(ids.begin(), ids.end());
    return ids;
}

bool NodeRegistry::add_port_type(const PortTypeInfo& info, const QString& pack) {
    if (port_types_.contains(info.id) && port_packs_.value(info.id) != pack) return false;
    port_types_.insert(info.id, info);
    port_packs_.insert(info.id, pack);
    return true;
}

const PortTypeInfo* NodeRegistry::port_type(const QString& id) const {
    const auto it = port_types_.constFind(id);
    return it == port_types_.constEnd() ? nullptr : &it.value();
}

QStringList NodeRegistry::port_type_ids() const {
    QStringList ids = port_types_.keys();
    std::sort(ids.begin(), ids.end());
    return ids;
}

QString NodeRegistry::port_label(const QString& id) const {
    const PortTypeInfo* info = port_type(id);
    return info && !info->label.isEmpty() ? info->label : id;
}

}  // namespace irl::nodes
