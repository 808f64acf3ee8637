// `irlstudio-cli run GRAPH`: loads the node packs and a graph file (or a PNG that embeds one),
// applies --set overrides and runs it headless with a progress bar.
#include "arguments.h"
#include "commands.h"
#include "progress_bar.h"

#include "irl/nodes/executor.h"
#include "irl/nodes/graph_file.h"
#include "irl/nodes/seed_rules.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>

namespace irl::cli {
namespace {

QVariant parse_value(const QString& text) {
    // JSON literals (numbers, true/false, "quoted") keep their type; anything else is text.
    const QJsonDocument doc = QJsonDocument::fromJson(("[" + text + "]").toUtf8());
    if (doc.isArray() && doc.array().size() == 1) return doc.array().at(0).toVariant();
    return text;
}

}  // namespace

int run_command(const std::vector<std::string>& raw_in, const CancelToken& cancel) {
    std::vector<std::string> raw, sets;
    for (size_t i = 0; i < raw_in.size(); ++i) {
        if (raw_in[i] == "--set") {
            if (i + 1 >= raw_in.size()) throw UsageError("--set needs NODE.PARAM=VALUE");
            sets.push_back(raw_in[++i]);
        } else if (raw_in[i].rfind("--set=", 0) == 0) {
            sets.push_back(raw_in[i].substr(6));
        } else {
            raw.push_back(raw_in[i]);
        }
    }
    const Arguments args(raw, {"out", "threads"}, {"json", "help", "quiet"});
    if (args.flag("help") || args.positional().size() != 1) {
        std::cout << "usage: irlstudio-cli run GRAPH.json|IMAGE.png [--set NODE.PARAM=VALUE ...] [--out DIR] [--threads N] [--json]\n\n"
                     "Runs every output node of the graph. Exit codes: 0 ok, 2 invalid graph or arguments,\n"
                     "3 failure while running, 130 cancelled (Ctrl+C stops at the next denoiser call).\n"
                  << threads_option_help();
        return args.flag("help") ? kExitOk : kExitUsage;
    }
    use_threads_option(args);
    const QString path = QString::fromStdString(args.positional().front());
    nodes::NodePacks packs;
    packs.load();
    for (const QString& warning : packs.warnings()) std::fprintf(stderr, "warning: %s\n", qPrintable(warning));
    nodes::GraphLoadResult loaded = nodes::load_graph_file(path, packs.registry());
    if (!loaded.graph) {
        std::fprintf(stderr, "%s\n", qPrintable(loaded.summary()));
        return kExitUsage;
    }
    for (const auto& problem : loaded.problems) std::fprintf(stderr, "warning: %s: %s\n", qPrintable(path), qPrintable(problem.text()));
    nodes::Graph& graph = *loaded.graph;
    for (const std::string& set : sets) {
        const QString s = QString::fromStdString(set);
        const int eq = s.indexOf('='), dot = s.lastIndexOf('.', eq);
        if (eq < 0 || dot < 0) throw UsageError("--set " + set + ": expected NODE.PARAM=VALUE");
        QString error;
        if (!graph.set_parameter(s.left(dot), s.mid(dot + 1, eq - dot - 1), parse_value(s.mid(eq + 1)), &error))
            throw UsageError("--set " + set + ": " + error.toStdString());
    }
    if (const int runs = nodes::batch_count(graph); runs > 1)
        std::fprintf(stderr, "note: the batch count (%d) and the seed rules apply to Run in the studio; this command runs the graph once, "
                             "with its seeds as they are (set others with --set NODE.seed=N)\n", runs);
    const QString out = QString::fromStdString(args.text("out", "."));
    if (!QDir().mkpath(out)) throw UsageError("cannot create the output folder '" + out.toStdString() + "'");

    nodes::Executor executor(packs);
    nodes::RunContext context;
    context.cancel = &cancel;
    context.output_dir = out;
    context.graph_json = nodes::write_graph(graph);
    context.graph_file = QFileInfo(path).absoluteFilePath();
    ProgressBar bar("run", !args.flag("quiet"));
    const auto start = std::chrono::steady_clock::now();
    QString current;
    context.progress = [&](const QString& node, double fraction, const QString&) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        bar.update(static_cast<int64_t>(fraction * 1000), 1000, seconds, node.toStdString());
    };
    // A node's failure is said when it happens (under the progress bar), and not again at the end.
    bool failure_said = false;
    executor.on_status = [&](const QString& node, nodes::NodeStatus status, const QString& message) {
        if (status != nodes::NodeStatus::Failed) return;
        std::fprintf(stderr, "\n%s failed: %s\n", qPrintable(node), qPrintable(message));
        failure_said = true;
    };
    const nodes::RunOutcome outcome = executor.run(graph, context);
    bar.finish();

    if (args.flag("json")) {
        nlohmann::json report = {{"ok", outcome.ok}, {"cancelled", outcome.cancelled}, {"seconds", outcome.seconds}};
        double nfe = 0.0;
        nlohmann::json per_node = nlohmann::json::object();
        for (const QString& id : outcome.order) {
            const nodes::NodeOutcome& n = outcome.nodes.value(id);
            nlohmann::json entry = {{"status", nodes::to_string(n.status).toStdString()}, {"seconds", n.seconds}};
            if (!n.message.isEmpty()) entry["message"] = n.message.toStdString();
            for (auto it = n.numbers.begin(); it != n.numbers.end(); ++it) entry[it.key().toStdString()] = it.value().toDouble();
            nfe += n.numbers.value("nfe").toDouble();
            per_node[id.toStdString()] = entry;
        }
        report["nfe"] = nfe;
        report["nodes"] = per_node;
        if (!outcome.ok) report["error"] = outcome.error.toStdString();
        std::cout << report.dump() << std::endl;
    } else if (outcome.ok) {
        std::printf("ran %lld nodes in %.2f s; outputs in %s\n", static_cast<long long>(outcome.order.size()), outcome.seconds,
                    qPrintable(QDir(out).absolutePath()));
    }
    if (outcome.cancelled) return cancelled_exit_code();
    if (!outcome.ok) {
        if (!args.flag("json") && !failure_said) std::fprintf(stderr, "%s\n", qPrintable(outcome.error));
        return kExitFailure;
    }
    return kExitOk;
}

}  // namespace irl::cli
