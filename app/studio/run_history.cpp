#include "run_history.h"

#include "results_view.h"

#include "irl/nodes/executor.h"
#include "irl/nodes/graph_file.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <optional>

namespace irl::studio {
namespace {

constexpr const char* kEntryFile = "entry.json";

qint64 folder_bytes(const QString& folder) {
    qint64 bytes = 0;
    QDirIterator it(folder, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) bytes += QFileInfo(it.next()).size();
    return bytes;
}

QJsonObject to_json(const HistoryEntry& e) {
    QJsonObject files;
    for (auto it = e.files.begin(); it != e.files.end(); ++it) files.insert(it.key(), it.value());
    return {{"time", e.time.toString(Qt::ISODateWithMs)}, {"status", e.status}, {"error", e.error}, {"seconds", e.seconds},
            {"source", e.source}, {"numbers", QJsonObject::fromVariantMap(e.numbers)}, {"seeds", QJsonObject::fromVariantMap(e.seeds)},
            {"files", files}, {"summary", e.summary}};
}

// The graph file a run saved, as JSON (empty when unreadable).
QJsonObject graph_json_of(const HistoryEntry& e) {
    QFile file(e.graph_path());
    if (!file.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

QString text_of(const QJsonValue& value) {
    if (value.isUndefined()) return QStringLiteral("—");
    if (value.isDouble()) return QString::number(value.toDouble(), 'g', 6);
    if (value.isBool()) return value.toBool() ? QStringLiteral("on") : QStringLiteral("off");
    if (value.isString()) return value.toString().isEmpty() ? QStringLiteral("\"\"") : value.toString();
    return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
}

// node id -> {type, params}; links as "from.port → to.port".
struct GraphParts {
    QMap<QString, QJsonObject> nodes;
    QStringList links;
};

GraphParts parts_of(const QJsonObject& graph) {
    GraphParts parts;
    for (const QJsonValue& node : graph.value("nodes").toArray()) parts.nodes.insert(node.toObject().value("id").toString(), node.toObject());
    for (const QJsonValue& link : graph.value("links").toArray()) {
        const QJsonObject from = link.toObject().value("from").toObject(), to = link.toObject().value("to").toObject();
        parts.links << from.value("node").toString() + "." + from.value("port").toString() + " → " + to.value("node").toString() + "." +
                           to.value("port").toString();
    }
    return parts;
}

// The entry in `folder`, or what is wrong with its record (the end of a sentence).
std::optional<HistoryEntry> from_json(const QString& folder, QString& problem) {
    QFile file(folder + "/" + kEntryFile);
    if (!file.open(QIODevice::ReadOnly)) {
        problem = QStringLiteral("it has no readable %1").arg(kEntryFile);
        return std::nullopt;
    }
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        problem = QStringLiteral("its %1 is damaged (%2)").arg(kEntryFile, error.error != QJsonParseError::NoError ? error.errorString() : "not an object");
        return std::nullopt;
    }
    const QJsonObject o = document.object();
    const QDateTime time = QDateTime::fromString(o.value("time").toString(), Qt::ISODateWithMs);
    if (!time.isValid()) {
        problem = QStringLiteral("its %1 has no valid time").arg(kEntryFile);
        return std::nullopt;
    }
    HistoryEntry e;
    e.folder = folder;
    e.id = QFileInfo(folder).fileName();
    e.time = time;
    e.status = o.value("status").toString();
    e.error = o.value("error").toString();
    e.seconds = o.value("seconds").toDouble();
    e.source = o.value("source").toString();
    e.numbers = o.value("numbers").toObject().toVariantMap();
    e.seeds = o.value("seeds").toObject().toVariantMap();
    const QJsonObject files = o.value("files").toObject();
    for (auto it = files.begin(); it != files.end(); ++it) e.files.insert(it.key(), it.value().toString());
    e.summary = o.value("summary").toString();
    e.settings = RunHistory::settings_of(graph_json_of(e), e.numbers);
    return e;
}

}  // namespace

QStringList RunHistory::differences(const HistoryEntry& a, const HistoryEntry& b) {
    const GraphParts pa = parts_of(graph_json_of(a)), pb = parts_of(graph_json_of(b));
    QStringList ids = pa.nodes.keys();
    for (const QString& id : pb.nodes.keys())
        if (!ids.contains(id)) ids << id;
    std::sort(ids.begin(), ids.end());
    QStringList lines;
    for (const QString& id : ids) {
        if (!pb.nodes.contains(id) || !pa.nodes.contains(id)) {
            const QJsonObject& node = pa.nodes.contains(id) ? pa.nodes[id] : pb.nodes[id];
            lines << QStringLiteral("%1: only in %2 (%3)").arg(id, pa.nodes.contains(id) ? "A" : "B", node.value("type").toString());
            continue;
        }
        const QJsonObject qa = pa.nodes[id].value("params").toObject(), qb = pb.nodes[id].value("params").toObject();
        QStringList keys = qa.keys();
        for (const QString& k : qb.keys())
            if (!keys.contains(k)) keys << k;
        std::sort(keys.begin(), keys.end());
        for (const QString& k : keys)
            if (qa.value(k) != qb.value(k)) lines << QStringLiteral("%1.%2: %3 → %4").arg(id, k, text_of(qa.value(k)), text_of(qb.value(k)));
    }
    for (const QString& link : pa.links)
        if (!pb.links.contains(link)) lines << QStringLiteral("link %1: only in A").arg(link);
    for (const QString& link : pb.links)
        if (!pa.links.contains(link)) lines << QStringLiteral("link %1: only in B").arg(link);
    return lines;
}

QString RunHistory::settings_of(const QJsonObject& graph, const QVariantMap& numbers) {
    QStringList parts;
    for (const QJsonValue& value : graph.value("nodes").toArray()) {
        const QJsonObject node = value.toObject();
        const QString id = node.value("id").toString(), type = node.value("type").toString();
        const QJsonObject params = node.value("params").toObject();
        if (type == "irl.sampler" || type == "irl.dxmi_sampler") {
            QString line = params.contains("solver") ? params.value("solver").toString() : QStringLiteral("DxMI");
            if (numbers.contains(id + ".nfe")) line += QStringLiteral(" · %1 NFE").arg(numbers.value(id + ".nfe").toDouble(), 0, 'g', 4);
            parts << line;
        } else if (type == "irl.guidance") {
            parts << QStringLiteral("guidance %1").arg(text_of(params.value("value")));
        } else if (params.contains("file") && !params.value("file").toString().isEmpty()) {
            const QString kind = type == "irl.policy" ? "policy" : type == "irl.schedule" ? "schedule" : type == "irl.denoiser" ? "model" : id;
            parts << kind + " " + QFileInfo(params.value("file").toString()).fileName();
        }
    }
    return parts.join(QStringLiteral(" · "));
}

RunHistory::RunHistory(QString folder, int max_entries, qint64 max_bytes, QObject* parent)
    : QObject(parent), folder_(std::move(folder)), max_entries_(max_entries), max_bytes_(max_bytes) {}

QString RunHistory::sha256_of(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return hash.result().toHex();
}

void RunHistory::load() {
    entries_.clear();
    problems_.clear();
    QDir dir(folder_);
    QStringList names = dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name | QDir::Reversed);
    for (const QString& name : names) {
        QString problem;
        if (auto entry = from_json(dir.filePath(name), problem))
            entries_.push_back(*entry);
        else
            problems_ << QStringLiteral("History: skipped the run record %1: %2.").arg(QDir::toNativeSeparators(dir.filePath(name)), problem);
    }
    Q_EMIT changed();
}

const HistoryEntry* RunHistory::find(const QString& id) const {
    for (const HistoryEntry& e : entries_)
        if (e.id == id) return &e;
    return nullptr;
}

HistoryEntry RunHistory::add(const irl::nodes::Graph& graph, const irl::nodes::RunOutcome& outcome, const QImage& picture,
                             const QString& source) {
    HistoryEntry e;
    e.time = QDateTime::currentDateTime();
    QString id = e.time.toString("yyyyMMdd-HHmmss-zzz");
    for (int n = 2; QFileInfo::exists(QDir(folder_).filePath(id)); ++n) id = e.time.toString("yyyyMMdd-HHmmss-zzz") + "-" + QString::number(n);
    e.id = id;
    e.folder = QDir(folder_).filePath(id);
    e.status = outcome.ok ? "done" : outcome.cancelled ? "cancelled" : "failed";
    e.error = outcome.error;
    e.seconds = outcome.seconds;
    e.source = source;
    QStringList summaries;
    for (const QString& node : outcome.order) {
        const QVariantMap numbers = outcome.nodes.value(node).numbers;
        for (auto it = numbers.begin(); it != numbers.end(); ++it) e.numbers.insert(node + "." + it.key(), it.value());
        const QString line = ResultsView::summary(numbers);
        if (!line.isEmpty()) summaries << line;
    }
    e.summary = summaries.join("; ");
    // The seeds and the files the run read, from the graph's own parameters.
    for (const irl::nodes::Node& node : graph.nodes()) {
        const irl::nodes::NodeTypeInfo* info = graph.type_of(node.id);
        if (!info) continue;
        for (const irl::nodes::ParameterSchema& schema : info->parameters) {
            const QVariant value = node.parameters.value(schema.name);
            if (schema.name == "seed") e.seeds.insert(node.id + ".seed", value);
            if (schema.kind == irl::nodes::ParameterKind::File && !value.toString().isEmpty() && QFileInfo(value.toString()).isFile())
                e.files.insert(value.toString(), sha256_of(value.toString()));
        }
    }
    QDir().mkpath(e.folder);
    irl::nodes::save_graph_file(graph, e.graph_path());
    e.settings = settings_of(graph_json_of(e), e.numbers);
    if (!picture.isNull()) picture.save(e.picture_path(), "PNG");
    QSaveFile file(e.folder + "/" + kEntryFile);
    if (file.open(QIODevice::WriteOnly)) {
        file.write(QJsonDocument(to_json(e)).toJson());
        file.commit();
    }
    entries_.prepend(e);
    trim();
    Q_EMIT changed();
    return e;
}

bool RunHistory::remove(const QString& id) {
    for (qsizetype i = 0; i < entries_.size(); ++i) {
        if (entries_[i].id != id) continue;
        QDir(entries_[i].folder).removeRecursively();
        entries_.removeAt(i);
        Q_EMIT changed();
        return true;
    }
    return false;
}

void RunHistory::trim() {
    qint64 bytes = 0;
    for (const HistoryEntry& e : entries_) bytes += folder_bytes(e.folder);
    // The oldest first, until both bounds hold (the newest entry always stays).
    while (entries_.size() > 1 && (entries_.size() > max_entries_ || bytes > max_bytes_)) {
        bytes -= folder_bytes(entries_.last().folder);
        QDir(entries_.last().folder).removeRecursively();
        entries_.removeLast();
    }
}

QStringList RunHistory::changed_files(const HistoryEntry& entry) const {
    QStringList changed;
    for (auto it = entry.files.begin(); it != entry.files.end(); ++it)
        if (sha256_of(it.key()) != it.value()) changed << it.key();
    return changed;
}

}  // namespace irl::studio
