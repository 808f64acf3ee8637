// Where a run writes: every file name a graph gives (Save Image's path, a trainer's "Save as" and
// checkpoint) is taken relative to the run's output folder and must stay inside it, because graphs
// travel (a PNG embeds the graph that made it) and a shared one must not overwrite the user's files.
#pragma once

#include "irl/nodes/node_type.h"

#include <QString>
#include <QVariantMap>

namespace irl::nodes {

// The absolute path of `name` inside `output_dir`. Throws std::runtime_error with one sentence
// naming `what` (e.g. "Save Image's file name") when `name` is empty, absolute, holds "..", a NUL
// or leads out of the folder through a symbolic link.
QString output_path(const QString& output_dir, const QString& name, const QString& what);

// The file an OutputFile trait names for a node: the parameter's value, or the default name with
// "{node}" replaced by the node id.
QString output_file_name(const OutputFile& file, const QString& node_id, const QVariantMap& parameters);
QString output_file_path(const OutputFile& file, const QString& node_id, const QVariantMap& parameters, const QString& output_dir);

}  // namespace irl::nodes
