// One undo step of the node editor: the graph before and after an edit. Graphs in the studio
// hold tens of nodes, so whole copies are cheap and make undo exact (node order included).
#pragma once

#include "irl/nodes/graph.h"

#include <QUndoCommand>

namespace irl::studio {

class GraphDocument;

class GraphEditCommand : public QUndoCommand {
public:
    // A non-empty `merge_key` (e.g. "parameter:sampler-1.seed") merges consecutive commands with
    // the same key into one step, so dragging a spin box is undone at once.
    GraphEditCommand(GraphDocument* document, const QString& text, irl::nodes::Graph before,
                     irl::nodes::Graph after, const QString& merge_key = {});

    void undo() override;
    void redo() override;
    int id() const override { return merge_key_.isEmpty() ? -1 : kMergeableId; }
    bool mergeWith(const QUndoCommand* other) override;

private:
    static constexpr int kMergeableId = 0x1e1;

    GraphDocument* document_;
    irl::nodes::Graph before_;
    irl::nodes::Graph after_;
    QString merge_key_;
};

}  // namespace irl::studio
