#include "irl/nodes/output_paths.h"

#include <QDir>
#include <QFileInfo>

#include <stdexcept>

namespace irl::nodes {
namespace {

[[noreturn]] void refuse(const QString& what, const QString& name, const QString& why) {
    throw std::runtime_error((what + " '" + name + "' " + why).toStdString());
}

// The canonical form of `path` as far as it exists, with the rest appended: symbolic links in
// the existing part are resolved, so that a link inside the folder cannot lead out of it.
QString resolved(const QString& path) {
    QFileInfo info(path);
    QStringList rest;
    while (!info.exists() && info.absoluteFilePath() != info.absolutePath()) {
        rest.prepend(info.fileName());
        info = QFileInfo(info.absolutePath());
    }
    QString base = info.exists() ? info.canonicalFilePath() : info.absoluteFilePath();
    for (const QString& part : rest) base += "/" + part;
    return QDir::cleanPath(base);
}

}  // namespace

QString output_path(const QString& output_dir, const QString& name, const QString& what) {
    if (name.trimmed().isEmpty()) refuse(what, name, "is empty");
    if (name.contains(QChar(0))) refuse(what, name.left(name.indexOf(QChar(0))), "contains a NUL character");
    if (QDir::isAbsolutePath(name) || name.startsWith('~'))
        refuse(what, name, "is an absolute path; it must be relative to the run's output folder");
    for (const QString& part : name.split('/'))
        if (part == "..") refuse(what, name, "goes up out of the run's output folder ('..')");
    const QString folder = resolved(output_dir);
    const QString path = resolved(QDir(output_dir).filePath(name));
    if (!path.startsWith(folder + "/")) refuse(what, name, "leads out of the run's output folder (through a symbolic link)");
    return QDir(output_dir).absoluteFilePath(name);
}

QString output_file_name(const OutputFile& file, const QString& node_id, const QVariantMap& parameters) {
    const QString given = file.parameter.isEmpty() ? QString() : parameters.value(file.parameter).toString();
    QString name = given.isEmpty() ? file.default_name : given;
    return name.replace("{node}", node_id);
}

QString output_file_path(const OutputFile& file, const QString& node_id, const QVariantMap& parameters, const QString& output_dir) {
    return output_path(output_dir, output_file_name(file, node_id, parameters), file.label + " file name");
}

}  // namespace irl::nodes
