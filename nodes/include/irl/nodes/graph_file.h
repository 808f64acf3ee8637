// Graph files: JSON with a format name and version, nodes with parameters, links, and the view
// kept apart. Loading validates everything and reports each problem by its place in the file.
#pragma once

#include "irl/nodes/graph.h"

#include <QByteArray>
#include <QString>
#include <QVector>

#include <optional>

namespace irl::nodes {

inline constexpr const char* kGraphFormat = "irlstudio-graph";
// Version 1 kept each node's position inside the node and called parameters "parameters";
// version 2 moved positions to "view" and renamed the map "params". Older files are migrated.
inline constexpr int kGraphVersion = 2;
// The PNG text chunk that carries the graph which made an image.
inline constexpr const char* kGraphPngKeyword = "irlstudio-graph";

struct GraphProblem {
    QString place;    // e.g. "nodes[3].params.steps"
    QString message;  // e.g. "expected an integer in 1..1000, got \"ten\""
    bool fatal = true;
    QString text() const { return place.isEmpty() ? message : place + ": " + message; }
};

struct GraphLoadResult {
    std::optional<Graph> graph;      // empty when any problem is fatal
    QVector<GraphProblem> problems;  // fatal ones and warnings (unknown types kept, ...)
    int version = 0;                 // the version the file was written with
    QString summary() const;         // every problem on its own line, prefixed by the source, errors first
    // Something was dropped, renamed or upgraded on the way in: saving would write another file.
    bool changed_on_load() const;
    QString source;
};

GraphLoadResult read_graph(const QByteArray& json, const NodeRegistry& registry, const QString& source = {});
// A graph file, or a PNG that embeds one (as Save Image writes them).
GraphLoadResult load_graph_file(const QString& path, const NodeRegistry& registry);

// Deterministic: keys sorted, nodes and links in graph order, so save -> load -> save is
// byte-identical.
QByteArray write_graph(const Graph& graph);
// Atomic (QSaveFile): a failed save leaves the old file as it was.
bool save_graph_file(const Graph& graph, const QString& path, QString* error = nullptr);

}  // namespace irl::nodes
