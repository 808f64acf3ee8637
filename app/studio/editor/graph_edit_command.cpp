// Undo and redo swap whole graphs through GraphDocument::apply, which tells the widgets what
// changed. Merging keeps the first command's "before" and the latest "after".
#include "graph_edit_command.h"

#include "graph_document.h"

namespace irl::studio {

GraphEditCommand::GraphEditCommand(GraphDocument* document, const QString& text, irl::nodes::Graph before,
                                   irl::nodes::Graph after, const QString& merge_key)
    : QUndoCommand(text), document_(document), before_(std::move(before)), after_(std::move(after)),
      merge_key_(merge_key) {}

void GraphEditCommand::undo() { document_->apply(before_); }

void GraphEditCommand::redo() { document_->apply(after_); }

bool GraphEditCommand::mergeWith(const QUndoCommand* other) {
    const auto* next = dynamic_cast<const GraphEditCommand*>(other);
    if (!next || next->merge_key_.isEmpty() || next->merge_key_ != merge_key_) return false;
    after_ = next->after_;
    return true;
}

}  // namespace irl::studio
