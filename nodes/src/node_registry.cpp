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

}  // namespace irl::nodes
