// The parameter panel for the selected node: a header (display name, id, description) and one
// editor per parameter of its type's schema (those that do not apply to the current choices hidden). Edits go through GraphDocument::set_parameter;
// document changes (undo, redo) update the editors without echoing back.
#pragma once

#include "parameter_editor.h"

#include <QHash>
#include <QWidget>

class QFormLayout;
class QLabel;

namespace irl::studio {

class GraphDocument;

class Inspector : public QWidget {
    Q_OBJECT
public:
    explicit Inspector(GraphDocument* document, QWidget* parent = nullptr);

    // An empty id shows a hint instead of a form.
    void show_node(const QString& id);
    QString node() const { return node_; }
    QWidget* editor_for(const QString& parameter) const;
    // Parameters that apply only to some choices of another are hidden otherwise.
    bool parameter_shown(const QString& parameter) const;
    // The last refusal shown under the form (empty when the last edit was accepted).
    QString error_text() const;

private:
    void clear_form();
    void commit(const QString& name, const QVariant& value);
    void on_parameter_changed(const QString& node, const QString& name);
    void update_visibility();

    GraphDocument* document_;
    QString node_;
    QLabel* title_;
    QLabel* id_;
    QLabel* description_;
    QLabel* hint_;
    QLabel* error_;
    QWidget* form_widget_ = nullptr;
    QFormLayout* form_ = nullptr;
    QHash<QString, ParameterEditor> editors_;
};

}  // namespace irl::studio
