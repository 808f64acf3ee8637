// Finds and loads node packs: the build tree, the install tree and $IRLSTUDIO_PLUGIN_PATH.
// A broken plugin or one built for another interface version is skipped with a warning.
#pragma once

#include "irl/nodes/node_pack.h"
#include "irl/nodes/node_registry.h"

#include <QHash>
#include <QStringList>

namespace irl::nodes {

class NodePacks {
public:
    // Loads every pack found in `folders` (default: plugin_folders()) into the registry.
    void load(const QStringList& folders = {});
    // For packs linked into the program (tests). A second pack of the same name is skipped with a warning.
    void add(NodePackInterface* pack);

    const NodeRegistry& registry() const { return registry_; }
    // The pack that provides `type`, or nullptr.
    NodePackInterface* pack_for(const QString& type) const { return by_type_.value(type, nullptr); }
    QStringList loaded() const { return loaded_; }      // "name (path)"
    QStringList warnings() const { return warnings_; }  // skipped plugins and why

private:
    NodeRegistry registry_;
    QHash<QString, NodePackInterface*> by_type_;
    QStringList loaded_, warnings_, loaded_names_;
};

// $IRLSTUDIO_PLUGIN_PATH (colon-separated), <exe>/../lib/irlstudio/plugins (install tree) and
// the build tree's plugin folder (for programs run from the build tree).
QStringList plugin_folders();

}  // namespace irl::nodes
