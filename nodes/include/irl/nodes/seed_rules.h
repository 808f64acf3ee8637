// Seeds and batch runs, as artists know them from other node tools: a node with a "seed" may carry
// a seed rule, what its seed becomes once a run has been started (the same, the next, or a random
// one), and a batch count, how many runs of the graph one Run starts. The studio's Run applies
// them; the rule itself lives here and names no node type.
#pragma once

#include "irl/nodes/graph.h"
#include "irl/nodes/parameter_schema.h"

#include <QHash>

#include <functional>

namespace irl::nodes {

// The two parameters a node type declares to take part: "seed_rule" (fixed, increment, random;
// fixed by default) and "batch" (1 to 1000; 1 by default).
ParameterSchema seed_rule_parameter();
ParameterSchema batch_parameter();

// How many runs one Run starts: the largest batch count among the nodes that run for `targets`
// (every node when empty) and declare a seed rule (a trainer's "batch" is its batch size); 1 when none has one.
int batch_count(const Graph& graph, const QStringList& targets = {});

// The seeds after one run, for the nodes (among those that run for `targets`) whose rule changes
// them: node id -> next seed. Increment wraps from the seed's maximum to its minimum; `random`
// draws a number in [minimum, maximum] of the node's seed parameter.
using SeedDraw = std::function<qlonglong(qlonglong minimum, qlonglong maximum)>;
QHash<QString, qlonglong> seeds_after_run(const Graph& graph, const QStringList& targets, const SeedDraw& random);

}  // namespace irl::nodes
