// `irlstudio-cli bench soak`: run/cancel cycles through the GraphRunner, as the studio's Run and
// Cancel buttons drive it, with resident memory and thread count along the way (docs/reliability.md).
#include "bench_setup.h"
#include "commands.h"

#include "irl/engine/core/resources.h"
#include "irl/nodes/graph_file.h"
#include "irl/nodes/soak.h"

#include <QTemporaryDir>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace irl::cli {

namespace {

nlohmann::json to_json(const nodes::ProcessFigures& f) { return {{"rss_mib", f.rss_mib}, {"threads", f.threads}}; }

}  // namespace

int bench_soak(const Arguments& args, const CancelToken& cancel) {
    const std::string graph_path = args.text("graph", find_resource("graphs/default.json"));
    nodes::NodePacks packs;
    packs.load();
    for (const QString& warning : packs.warnings()) std::fprintf(stderr, "warning: %s\n", qPrintable(warning));
    const nodes::GraphLoadResult loaded = nodes::load_graph_file(QString::fromStdString(graph_path), packs.registry());
    if (!loaded.graph) throw UsageError("--graph " + graph_path + ": " + loaded.summary().toStdString());
    nodes::Graph graph = *loaded.graph;
    nodes::SoakOptions options;
    options.cycles = static_cast<int>(args.integer("cycles", 1000, 1, 1000000));
    options.seed = static_cast<uint64_t>(args.integer("seed", 0, 0, 1LL << 62));
    options.max_progress = static_cast<int>(args.integer("max-progress", 16, 1, 100000));
    options.sampler = QString::fromStdString(args.text("sampler", "sampler-1"));
    if (args.has("count") && !graph.set_parameter(options.sampler, "count", static_cast<int>(args.integer("count", 2, 1, 100000))))
        throw UsageError("--count: the graph has no node '" + options.sampler.toStdString() + "' with a count");
    QTemporaryDir out;
    options.output_dir = out.path();
    const bool json = args.flag("json");
    auto on_cycle = [&](const nodes::SoakCycle& c) {
        if (cancel.cancelled()) throw Cancelled();
        if (!json && (c.cycle == 1 || c.cycle % 100 == 0))
            std::cout << "cycle " << c.cycle << "  rss " << fixed(c.after.rss_mib, 1) << " MiB  threads " << c.after.threads
                      << (c.cancelled ? "" : "  (ended before the cancel)") << std::endl;
    };
    const nodes::SoakReport r = nodes::soak_graph_runner(packs, graph, options, on_cycle);
    if (!r.error.isEmpty()) {
        std::fprintf(stderr, "soak stopped: %s\n", qPrintable(r.error));
        return kExitFailure;
    }
    const double growth = r.last.rss_mib - r.at_100.rss_mib;
    const bool memory_ok = growth <= 20.0;
    const bool threads_ok = r.last.threads == r.warm.threads;
    if (json) {
        std::cout << nlohmann::json{{"graph", graph_path}, {"cycles", r.cycles}, {"cancelled", r.cancelled}, {"seconds", r.seconds},
                                    {"before", to_json(r.before)}, {"after_first_cycle", to_json(r.warm)},
                                    {"after_cycle_100", to_json(r.at_100)}, {"after_last_cycle", to_json(r.last)},
                                    {"after_runner_destroyed", to_json(r.after_runner)}, {"rss_growth_after_100_mib", growth},
                                    {"memory_bar_met", memory_ok}, {"threads_bar_met", threads_ok}}
                         .dump(2)
                  << "\n";
    } else {
        std::cout << r.cycles << " cycles in " << fixed(r.seconds, 1) << " s, " << r.cancelled << " cancelled mid-run\n"
                  << "rss MiB: before " << fixed(r.before.rss_mib, 1) << ", after cycle 1 " << fixed(r.warm.rss_mib, 1)
                  << ", after cycle 100 " << fixed(r.at_100.rss_mib, 1) << ", after the last " << fixed(r.last.rss_mib, 1)
                  << ", runner destroyed " << fixed(r.after_runner.rss_mib, 1) << "\n"
                  << "threads: before " << r.before.threads << ", after cycle 1 " << r.warm.threads << ", after the last "
                  << r.last.threads << ", runner destroyed " << r.after_runner.threads << "\n"
                  << "bar (rss at the last <= rss at 100 + 20 MiB, threads back to cycle 1): "
                  << (memory_ok && threads_ok ? "met" : "NOT met") << " (growth " << fixed(growth, 1) << " MiB)\n";
    }
    return memory_ok && threads_ok ? kExitOk : kExitFailure;
}

}  // namespace irl::cli
