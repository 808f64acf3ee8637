#include "irl/nodes/seed_rules.h"

#include <algorithm>

namespace irl::nodes {
namespace {

// The node's value of a parameter its type declares, its default when the graph does not set it.
QVariant value_of(const Node& node, const ParameterSchema& schema) { return node.parameters.value(schema.name, schema.default_value); }

}  // namespace

ParameterSchema seed_rule_parameter() {
    return ParameterSchema::choice("seed_rule", "After each run", {"fixed", "increment", "random"}, "fixed",
                                   "What the seed becomes once Run has started a run in the studio: the same (fixed), the next "
                                   "(increment) or a new random one (random). Undo brings the seed back");
}

ParameterSchema batch_parameter() {
    return ParameterSchema::integer("batch", "Batch count", 1, 1, 1000,
                                    "How many runs of the graph one Run starts in the studio, one after the other, each with the seed "
                                    "the rule gives; each goes to the Queue and to History");
}

int batch_count(const Graph& graph, const QStringList& targets) {
    int runs = 1;
    for (const QString& id : graph.topological_order(targets)) {
        const NodeTypeInfo* type = graph.type_of(id);
        // Only beside a seed rule: trainers have a "batch" too, their training batch size.
        const ParameterSchema* batch = type && type->parameter("seed_rule") ? type->parameter("batch") : nullptr;
        if (batch) runs = std::max(runs, value_of(*graph.node(id), *batch).toInt());
    }
    return runs;
}

QHash<QString, qlonglong> seeds_after_run(const Graph& graph, const QStringList& targets, const SeedDraw& random) {
    QHash<QString, qlonglong> next;
    for (const QString& id : graph.topological_order(targets)) {
        const NodeTypeInfo* type = graph.type_of(id);
        const ParameterSchema* rule = type ? type->parameter("seed_rule") : nullptr;
        const ParameterSchema* seed = type ? type->parameter("seed") : nullptr;
        if (!rule || !seed) continue;
        const Node& node = *graph.node(id);
        const QString how = value_of(node, *rule).toString();
        const qlonglong now = value_of(node, *seed).toLongLong();
        const auto lowest = static_cast<qlonglong>(seed->minimum), highest = static_cast<qlonglong>(seed->maximum);
        if (how == "increment") next.insert(id, seed->bounded() && now >= highest ? lowest : now + 1);
        else if (how == "random") next.insert(id, random(lowest, highest));
    }
    return next;
}

}  // namespace irl::nodes
