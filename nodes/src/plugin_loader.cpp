#include "irl/nodes/plugin_loader.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonObject>
#include <QPluginLoader>

namespace irl::nodes {

QStringList plugin_folders() {
    QStringList folders;
    const QByteArray env = qgetenv("IRLSTUDIO_PLUGIN_PATH");
    for (const QByteArray& part : env.split(':'))
        if (!part.isEmpty()) folders << QString::fromLocal8Bit(part);
    const QString exe_dir = QFileInfo(QStringLiteral("/proc/self/exe")).canonicalFilePath().section('/', 0, -2);
    folders << QDir(exe_dir + "/../lib/irlstudio/plugins").absolutePath();
#ifdef IRL_BUILD_TREE_PLUGINS
    // Only a program that lives in the build tree (not an installed copy) uses its plugin folder.
    if (exe_dir.startsWith(QStringLiteral(IRL_BUILD_TREE_ROOT "/"))) folders << QStringLiteral(IRL_BUILD_TREE_PLUGINS);
#endif
    folders.removeDuplicates();
    return folders;
}

void NodePacks::add(NodePackInterface* pack) {
    if (loaded_names_.contains(pack->pack_name())) {
        warnings_ << QString("a second copy of the node pack '%1' was found; only the first is used").arg(pack->pack_name());
        return;
    }
    loaded_names_ << pack->pack_name();
    for (const PortTypeInfo& port : pack->port_types())
        if (!registry_.add_port_type(port, pack->pack_name()))
            warnings_ << QString("port type '%1' of pack '%2' is already declared by another pack; the first is used")
                             .arg(port.id, pack->pack_name());
    for (const NodeTypeInfo& info : pack->node_types()) {
        if (!registry_.add(info, pack->pack_name())) {
            warnings_ << QString("node type '%1' of pack '%2' is already provided by '%3'; skipped")
                             .arg(info.id, pack->pack_name(), registry_.pack_of(info.id));
            continue;
        }
        by_type_.insert(info.id, pack);
    }
    loaded_ << pack->pack_name();
}

void NodePacks::load(const QStringList& folders_in) {
    const QStringList folders = folders_in.isEmpty() ? plugin_folders() : folders_in;
    QStringList seen;
    for (const QString& folder : folders) {
        const QDir dir(folder);
        if (!dir.exists()) continue;
        for (const QFileInfo& file : dir.entryInfoList({"*.so"}, QDir::Files, QDir::Name)) {
            const QString path = file.canonicalFilePath();
            if (seen.contains(file.fileName())) continue;  // the first folder wins
            QPluginLoader loader(path);
            const QString iid = loader.metaData().value("IID").toString();
            if (iid.isEmpty()) {
                warnings_ << path + ": not a Qt plugin (" + loader.errorString() + "); skipped";
                continue;
            }
            if (iid != QStringLiteral(IRL_NODE_PACK_IID)) {
                warnings_ << path + ": built for interface '" + iid + "', this studio needs '" IRL_NODE_PACK_IID "'; skipped";
                continue;
            }
            QObject* instance = loader.instance();
            auto* pack = qobject_cast<NodePackInterface*>(instance);
            if (!pack) {
                warnings_ << path + ": cannot be loaded (" + loader.errorString() + "); skipped";
                continue;
            }
            seen << file.fileName();
            const qsizetype before = loaded_.size();
            add(pack);
            if (loaded_.size() > before) loaded_.last() += " (" + path + ")";
        }
    }
}

}  // namespace irl::nodes
