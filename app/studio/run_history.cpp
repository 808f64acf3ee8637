#include "run_history.h"

#include "results_view.h"

#include "irl/nodes/executor.h"
#include "irl/nodes/graph_file.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
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
    return e;
}

}  // namespace

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
