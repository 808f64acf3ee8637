#include "irl/nodes/soak.h"

#include "irl/nodes/graph_runner.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>

#include <random>

namespace irl::nodes {

ProcessFigures process_figures() {
    // /proc/self/status has both figures in kB and as a count ("VmRSS:", "Threads:").
    ProcessFigures figures;
    QFile status("/proc/self/status");
    if (!status.open(QIODevice::ReadOnly | QIODevice::Text)) return figures;
    for (const QByteArray& line : status.readAll().split('\n')) {
        const QList<QByteArray> fields = line.simplified().split(' ');
        if (fields.size() < 2) continue;
        if (fields[0] == "VmRSS:") figures.rss_mib = fields[1].toDouble() / 1024.0;
        if (fields[0] == "Threads:") figures.threads = fields[1].toInt();
    }
    return figures;
}

SoakReport soak_graph_runner(const NodePacks& packs, const Graph& graph_in, const SoakOptions& options,
                             const std::function<void(const SoakCycle&)>& on_cycle) {
    SoakReport report;
    report.before = process_figures();
    QElapsedTimer timer;
    timer.start();
    std::mt19937_64 random(options.seed);
    std::uniform_int_distribution<int> when(1, std::max(1, options.max_progress));
    Graph graph = graph_in;
    {
        GraphRunner runner(packs);
        for (int cycle = 1; cycle <= options.cycles; ++cycle) {
            // A new seed each cycle: the sampler really runs instead of coming from the cache.
            if (!options.sampler.isEmpty() && !graph.set_parameter(options.sampler, "seed", cycle)) {
                report.error = "the graph has no node '" + options.sampler + "' with a seed";
                break;
            }
            SoakCycle figures;
            figures.cycle = cycle;
            figures.cancel_after = when(random);
            int reports = 0;
            RunOutcome outcome;
            QEventLoop loop;
            const auto progress = QObject::connect(&runner, &GraphRunner::progress, &loop, [&](const QString&, double) {
                if (++reports == figures.cancel_after) runner.cancel();
            });
            const auto done = QObject::connect(&runner, &GraphRunner::finished, &loop, [&](const RunOutcome& o) {
                outcome = o;
                loop.quit();
            });
            if (!runner.start(graph, options.output_dir)) {
                report.error = "the runner refused to start a run";
                break;
            }
            loop.exec();
            QObject::disconnect(progress);
            QObject::disconnect(done);
            if (!outcome.ok && !outcome.cancelled) {
                report.error = "cycle " + QString::number(cycle) + ": " + outcome.error;
                break;
            }
            figures.cancelled = outcome.cancelled;
            figures.after = process_figures();
            report.cycles = cycle;
            report.cancelled += outcome.cancelled ? 1 : 0;
            if (cycle == 1) report.warm = figures.after;
            if (cycle <= 100) report.at_100 = figures.after;
            report.last = figures.after;
            if (on_cycle) on_cycle(figures);
        }
    }
    report.after_runner = process_figures();
    report.seconds = timer.elapsed() / 1000.0;
    return report;
}

}  // namespace irl::nodes
