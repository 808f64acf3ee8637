// Every run the window made, kept on disk next to the autosave: the graph as it ran, the pictures
// it produced, what it measured, its seeds and the checksums of the files it read (so that
// restoring it can say when a model file has changed since). Bounded: the oldest entries go first
// once there are more than a count or a size.
#pragma once

#include <QDateTime>
#include <QHash>
#include <QImage>
#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVariantMap>
#include <QVector>

namespace irl::nodes {
class Graph;
struct RunOutcome;
}  // namespace irl::nodes

namespace irl::studio {

struct HistoryEntry {
    QString id;          // the entry's folder name, which sorts by time
    QString folder;
    QDateTime time;
    QString status;      // "done", "cancelled" or "failed"
    QString error;
    double seconds = 0.0;
    QString source;      // the graph file the run came from (empty: unsaved)
    QVariantMap numbers;  // "node.key" -> value
    QVariantMap seeds;    // "node.seed" -> value
    QHash<QString, QString> files;  // file a parameter named -> SHA-256 when the run started
    QString summary;      // one line: the quality numbers
    QString settings;     // one line: the key settings of the graph it ran (solver, NFE, guidance, files)
    QString graph_path() const { return folder + "/graph.irlgraph"; }
    QString picture_path() const { return folder + "/samples.png"; }
    QImage picture() const { return QImage(picture_path()); }
};

class RunHistory : public QObject {
    Q_OBJECT
public:
    RunHistory(QString folder, int max_entries = 200, qint64 max_bytes = 500LL * 1024 * 1024, QObject* parent = nullptr);

    // Reads the entries a previous session left (newest first). A damaged or missing record
    // (entry.json truncated, not JSON, without its time) is skipped, its folder kept as it is, and
    // problems() says which.
    void load();
    // One sentence per record the last load() skipped, naming its folder.
    const QStringList& problems() const { return problems_; }
    const QVector<HistoryEntry>& entries() const { return entries_; }
    const HistoryEntry* find(const QString& id) const;
    QString folder() const { return folder_; }

    // Records a finished run: `graph` as it ran, its outcome, and `picture` (the samples it showed).
    HistoryEntry add(const irl::nodes::Graph& graph, const irl::nodes::RunOutcome& outcome, const QImage& picture, const QString& source);
    bool remove(const QString& id);
    // The files the entry read whose contents differ now (or that are gone).
    QStringList changed_files(const HistoryEntry& entry) const;

    static QString sha256_of(const QString& path);
    // Every parameter, node and link in which the graphs of two runs differ, one line each:
    // "sampler-1.solver: heun → dpmpp-2m", "churn-1: only in B (irl.churn)".
    static QStringList differences(const HistoryEntry& a, const HistoryEntry& b);
    // The key settings of a graph as run: each sampler's solver and NFE, guidance, the policy,
    // schedule or model files it read (their names), e.g. "heun · 35 NFE · guidance 1.5".
    static QString settings_of(const QJsonObject& graph, const QVariantMap& numbers);

Q_SIGNALS:
    void changed();

private:
    void trim();

    QString folder_;
    QStringList problems_;
    int max_entries_;
    qint64 max_bytes_;
    QVector<HistoryEntry> entries_;  // newest first
};

}  // namespace irl::studio
