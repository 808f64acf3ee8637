#include "irl/nodes/graph_file.h"

#include "irl/engine/io/png_text.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QSet>

namespace irl::nodes {
namespace {

class Reader {
public:
    Reader(const NodeRegistry& registry, GraphLoadResult& result) : registry_(registry), result_(result) {}

    void fatal(const QString& place, const QString& message) { result_.problems.push_back({place, message, true}); }
    void warn(const QString& place, const QString& message) { result_.problems.push_back({place, message, false}); }

    std::optional<QPointF> point(const QJsonValue& v, const QString& place) {
        const QJsonArray a = v.toArray();
        if (!v.isArray() || a.size() != 2 || !a[0].isDouble() || !a[1].isDouble()) {
            warn(place, "expected [x, y]; ignored");
            return std::nullopt;
        }
        return QPointF(a[0].toDouble(), a[1].toDouble());
    }

    void migrate_v1(QJsonObject& root) {
        // v1: {"position": [x, y], "parameters": {...}} per node, no "view".
        QJsonArray nodes = root.value("nodes").toArray();
        QJsonObject positions;
        for (int i = 0; i < nodes.size(); ++i) {
            QJsonObject n = nodes[i].toObject();
            if (n.contains("parameters")) n.insert("params", n.take("parameters"));
            if (n.contains("position")) positions.insert(n.value("id").toString(), n.take("position"));
            nodes[i] = n;
        }
        root.insert("nodes", nodes);
        root.insert("view", QJsonObject{{"positions", positions}, {"zoom", 1.0}});
    }

    void read_node(const QJsonValue& value, int index, Graph& graph, QSet<QString>& ids) {
        const QString place = QString("nodes[%1]").arg(index);
        if (!value.isObject()) return fatal(place, "expected an object");
        const QJsonObject o = value.toObject();
        const QString id = o.value("id").toString();
        if (!o.value("id").isString() || id.isEmpty()) return fatal(place + ".id", "expected a non-empty string");
        if (ids.contains(id)) return fatal(place + ".id", "the id \"" + id + "\" is used twice");
        ids.insert(id);
        if (!o.value("type").isString()) return fatal(place + ".type", "expected a node type name");
        if (o.contains("params") && !o.value("params").isObject()) return fatal(place + ".params", "expected an object");
        Node node{id, o.value("type").toString(), {}, false};
        const QJsonObject params = o.value("params").toObject();
        const NodeTypeInfo* info = registry_.find(node.type);
        if (!info) {
            node.unknown_type = true;
            node.parameters = params.toVariantMap();
            warn(place + ".type", "unknown node type '" + node.type + "' (kept as it is; it cannot run)");
            graph.insert_node(node);
            return;
        }
        node.parameters = info->default_parameters();
        for (auto it = params.begin(); it != params.end(); ++it) {
            QString name = it.key();
            if (const auto renamed = info->renamed_parameters.constFind(name); renamed != info->renamed_parameters.constEnd()) {
                if (params.contains(*renamed)) {
                    warn(place + ".params." + name, "an older name of '" + *renamed + "', which the node also has; dropped");
                    continue;
                }
                warn(place + ".params." + name, "renamed to '" + *renamed + "' (migrated)");
                name = *renamed;
            }
            const ParameterSchema* schema = info->parameter(name);
            if (!schema) {
                warn(place + ".params." + name, info->display_name + " has no such parameter; dropped");
                continue;
            }
            QString why;
            const auto checked = schema->validate(it.value().toVariant(), &why);
            if (!checked) fatal(place + ".params." + name, why);
            else node.parameters.insert(name, *checked);
        }
        graph.insert_node(node);
    }

    void read_link(const QJsonValue& value, int index, Graph& graph) {
        const QString place = QString("links[%1]").arg(index);
        const QJsonObject o = value.toObject();
        auto ref = [&](const char* key) -> std::optional<PortRef> {
            const QJsonObject r = o.value(key).toObject();
            if (!r.value("node").isString() || !r.value("port").isString()) {
                fatal(place + "." + key, "expected {\"node\": ..., \"port\": ...}");
                return std::nullopt;
            }
            return PortRef{r.value("node").toString(), r.value("port").toString()};
        };
        const auto from = ref("from");
        const auto to = ref("to");
        if (!from || !to) return;
        const Link link{*from, *to};
        const Node* a = graph.node(from->node);
        const Node* b = graph.node(to->node);
        if (a && b && (a->unknown_type || b->unknown_type)) {
            graph.insert_link(link);  // cannot be checked; kept with its unknown node
            return;
        }
        QString why;
        if (!graph.connect(link, &why)) fatal(place, why);
    }

    void read_view(const QJsonObject& view, Graph& graph) {
        if (view.contains("zoom")) {
            const double zoom = view.value("zoom").toDouble(0.0);
            if (zoom > 0.0) graph.view().zoom = zoom;
            else warn("view.zoom", "expected a positive number; using 1");
        }
        if (view.contains("center"))
            if (auto c = point(view.value("center"), "view.center")) graph.view().center = *c;
        const QJsonObject positions = view.value("positions").toObject();
        for (auto it = positions.begin(); it != positions.end(); ++it) {
            if (!graph.node(it.key())) {
                warn("view.positions." + it.key(), "no such node; ignored");
                continue;
            }
            if (auto p = point(it.value(), "view.positions." + it.key())) graph.view().positions.insert(it.key(), *p);
        }
    }

private:
    const NodeRegistry& registry_;
    GraphLoadResult& result_;
};

QJsonArray point_json(const QPointF& p) { return QJsonArray{p.x(), p.y()}; }

}  // namespace

QString GraphLoadResult::summary() const {
    // Errors first: a warning about the view must not hide why the file was refused.
    QStringList errors, warnings;
    for (const GraphProblem& p : problems) (p.fatal ? errors : warnings) << (source.isEmpty() ? "" : source + ": ") + p.text();
    return (errors + warnings).join('\n');
}

bool GraphLoadResult::changed_on_load() const {
    return version < kGraphVersion || std::any_of(problems.begin(), problems.end(), [](const GraphProblem& p) { return !p.fatal; });
}

GraphLoadResult read_graph(const QByteArray& json, const NodeRegistry& registry, const QString& source) {
    GraphLoadResult result;
    result.source = source;
    Reader reader(registry, result);
    QJsonParseError parse_error;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parse_error);
    if (parse_error.error != QJsonParseError::NoError) {
        reader.fatal(QString("byte %1").arg(parse_error.offset), "not valid JSON (" + parse_error.errorString() + ")");
        return result;
    }
    if (!doc.isObject()) {
        reader.fatal({}, "expected a JSON object");
        return result;
    }
    QJsonObject root = doc.object();
    if (root.value("format").toString() != kGraphFormat) {
        reader.fatal("format", QString("expected \"%1\", got %2").arg(kGraphFormat,
                     root.contains("format") ? "\"" + root.value("format").toString() + "\"" : "nothing"));
        return result;
    }
    const QJsonValue version = root.value("version");
    result.version = version.toInt(0);
    if (!version.isDouble() || result.version < 1) {
        reader.fatal("version", "expected a positive integer");
        return result;
    }
    if (result.version > kGraphVersion) {
        reader.fatal("version", QString("version %1 was written by a newer studio (this one reads up to %2)")
                                    .arg(result.version).arg(kGraphVersion));
        return result;
    }
    if (result.version == 1) reader.migrate_v1(root);
    for (auto it = root.begin(); it != root.end(); ++it)
        if (!QStringList{"format", "version", "nodes", "links", "view", "autosave_of"}.contains(it.key()))
            reader.warn(it.key(), "not a part of a graph file; ignored");
    if (!root.value("nodes").isArray()) {
        reader.fatal("nodes", "expected a list of nodes");
        return result;
    }
    if (root.contains("links") && !root.value("links").isArray()) {
        reader.fatal("links", "expected a list of links");
        return result;
    }
    Graph graph(&registry);
    QSet<QString> ids;
    const QJsonArray nodes = root.value("nodes").toArray();
    for (int i = 0; i < nodes.size(); ++i) reader.read_node(nodes[i], i, graph, ids);
    const QJsonArray links = root.value("links").toArray();
    for (int i = 0; i < links.size(); ++i) reader.read_link(links[i], i, graph);
    reader.read_view(root.value("view").toObject(), graph);
    const bool any_fatal = std::any_of(result.problems.begin(), result.problems.end(), [](const GraphProblem& p) { return p.fatal; });
    if (!any_fatal) result.graph = std::move(graph);
    return result;
}

GraphLoadResult load_graph_file(const QString& path, const NodeRegistry& registry) {
    GraphLoadResult failed;
    failed.source = path;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        failed.problems.push_back({{}, "cannot open the file (" + file.errorString() + ")", true});
        return failed;
    }
    const QByteArray bytes = file.readAll();
    if (bytes.startsWith("\x89PNG")) {
        const auto text = read_png_text(bytes.toStdString(), kGraphPngKeyword);
        if (!text) {
            failed.problems.push_back({{}, "a PNG without an embedded graph (only images saved by the studio carry one)", true});
            return failed;
        }
        return read_graph(QByteArray::fromStdString(*text), registry, path);
    }
    return read_graph(bytes, registry, path);
}

QByteArray write_graph(const Graph& graph) {
    QJsonArray nodes;
    for (const Node& n : graph.nodes())
        nodes.append(QJsonObject{{"id", n.id}, {"type", n.type}, {"params", QJsonObject::fromVariantMap(n.parameters)}});
    QJsonArray links;
    for (const Link& l : graph.links())
        links.append(QJsonObject{{"from", QJsonObject{{"node", l.from.node}, {"port", l.from.port}}},
                                 {"to", QJsonObject{{"node", l.to.node}, {"port", l.to.port}}}});
    QJsonObject positions;
    for (auto it = graph.view().positions.begin(); it != graph.view().positions.end(); ++it)
        positions.insert(it.key(), point_json(it.value()));
    const QJsonObject view{{"zoom", graph.view().zoom}, {"center", point_json(graph.view().center)}, {"positions", positions}};
    const QJsonObject root{{"format", kGraphFormat}, {"version", kGraphVersion}, {"nodes", nodes}, {"links", links}, {"view", view}};
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

bool save_graph_file(const Graph& graph, const QString& path, QString* error) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(write_graph(graph)) < 0 || !file.commit()) {
        if (error) *error = "cannot save '" + path + "': " + file.errorString();
        return false;
    }
    return true;
}

}  // namespace irl::nodes
