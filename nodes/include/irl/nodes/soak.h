// Run/cancel soak of the GraphRunner: many runs of one graph, each cancelled at a random step,
// with the process's resident memory and thread count after each cycle. Shared by the test
// suite (a short soak) and `irlstudio-cli bench soak` (the long one whose figure is in the docs).
#pragma once

#include "irl/nodes/graph.h"
#include "irl/nodes/plugin_loader.h"

#include <QString>

#include <cstdint>
#include <functional>
#include <vector>

namespace irl::nodes {

// What /proc/self says now (Linux): resident set in MiB and the number of threads.
struct ProcessFigures {
    double rss_mib = 0.0;
    int threads = 0;
};
ProcessFigures process_figures();

struct SoakCycle {
    int cycle = 0;          // 1-based
    bool cancelled = false; // false: the run ended before the cancel reached it
    int cancel_after = 0;   // progress reports seen before the cancel was sent
    ProcessFigures after;
};

struct SoakOptions {
    int cycles = 1000;
    std::uint64_t seed = 0;
    QString sampler;        // node whose seed changes per cycle so that no run comes from the cache
    int max_progress = 16;  // the cancel goes out after a random 1..max_progress progress reports
    QString output_dir;
};

struct SoakReport {
    ProcessFigures before;       // before the runner exists
    ProcessFigures warm;         // after the first cycle (engine thread and LibTorch pools started)
    ProcessFigures at_100;       // after cycle 100 (or the last, when fewer)
    ProcessFigures last;         // after the last cycle
    ProcessFigures after_runner; // once the runner is destroyed
    int cycles = 0;
    int cancelled = 0;
    QString error;               // a run that failed instead of cancelling
    double seconds = 0.0;
};

// Needs a Qt event loop on the calling thread (QCoreApplication). Stops at the first failed run.
SoakReport soak_graph_runner(const NodePacks& packs, const Graph& graph, const SoakOptions& options,
                             const std::function<void(const SoakCycle&)>& on_cycle = {});

}  // namespace irl::nodes
