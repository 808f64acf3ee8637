// The form is rebuilt whenever another node is shown (types differ in their parameters) and is
// only refreshed, editor by editor, while the same node stays shown.
#include "inspector.h"

#include "editor_style.h"
#include "graph_document.h"

#include <QFormLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace irl::studio {

Inspector::Inspector(GraphDocument* document, QWidget* parent)
    : QWidget(parent), document_(document), title_(new QLabel(this)), id_(new QLabel(this)), description_(new QLabel(this)),
      hint_(new QLabel(tr("Select a node to edit its parameters."), this)), error_(new QLabel(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 8);
    QFont title_font = title_->font();
    title_font.setBold(true);
    title_font.setPointSizeF(title_font.pointSizeF() * 1.2);
    title_->setFont(title_font);
    id_->setStyleSheet(QStringLiteral("color: %1;").arg(editor_style::dim_text().name()));
    id_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    description_->setWordWrap(true);
    hint_->setWordWrap(true);
    hint_->setAlignment(Qt::AlignCenter);
    hint_->setStyleSheet(QStringLiteral("color: %1;").arg(editor_style::dim_text().name()));
    error_->setWordWrap(true);
    error_->setStyleSheet(QStringLiteral("color: %1;").arg(editor_style::error_text().name()));
    error_->hide();
    layout->addWidget(title_);
    layout->addWidget(id_);
    layout->addWidget(description_);
    layout->addWidget(hint_);
    layout->addWidget(error_);
    layout->addStretch(1);

    connect(document_, &GraphDocument::parameter_changed, this, &Inspector::on_parameter_changed);
    connect(document_, &GraphDocument::node_removed, this, [this](const QString& id) {
        if (id == node_) show_node({});
    });
    connect(document_, &GraphDocument::reset_done, this, [this] {
        show_node(document_->graph().node(node_) ? node_ : QString());
    });
    show_node({});
}

void Inspector::clear_form() {
    editors_.clear();
    delete form_widget_;
    form_widget_ = nullptr;
    form_ = nullptr;
    error_->clear();
    error_->hide();
}

void Inspector::show_node(const QString& id) {
    clear_form();
    const auto* node = id.isEmpty() ? nullptr : document_->graph().node(id);
    node_ = node ? id : QString();
    title_->setVisible(node != nullptr);
    id_->setVisible(node != nullptr);
    description_->setVisible(node != nullptr);
    hint_->setVisible(node == nullptr);
    if (!node) return;

    const auto* info = node->unknown_type ? nullptr : document_->graph().type_of(id);
    title_->setText(info ? info->display_name : node->type);
    id_->setText(info ? QStringLiteral("%1 · %2").arg(id, info->id) : id);
    description_->setText(info ? info->description
                               : tr("No loaded node pack provides the type '%1'. Its parameters are kept as they were "
                                    "read but cannot be edited.").arg(node->type));
    description_->setVisible(!description_->text().isEmpty());

    form_widget_ = new QWidget(this);
    form_ = new QFormLayout(form_widget_);
    form_->setContentsMargins(0, 6, 0, 0);
    form_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    static_cast<QVBoxLayout*>(layout())->insertWidget(layout()->indexOf(error_), form_widget_);

    if (!info) {
        for (auto it = node->parameters.begin(); it != node->parameters.end(); ++it) {
            auto* value = new QLabel(it.value().toString(), form_widget_);
            value->setTextInteractionFlags(Qt::TextSelectableByMouse);
            form_->addRow(it.key(), value);
        }
        return;
    }
    if (info->parameters.isEmpty()) form_->addRow(new QLabel(tr("This node has no parameters."), form_widget_));
    for (const auto& schema : info->parameters) {
        const QString name = schema.name;
        ParameterEditor editor = make_parameter_editor(schema, form_widget_, [this, name](const QVariant& value) {
            commit(name, value);
        });
        editor.show(node->parameters.value(name, schema.default_value));
        auto* label = new QLabel(schema.label.isEmpty() ? name : schema.label, form_widget_);
        label->setToolTip(schema.tooltip);
        label->setBuddy(editor.editor);
        form_->addRow(label, editor.row);
        editors_.insert(name, editor);
    }
    update_visibility();
}

void Inspector::update_visibility() {
    const auto* node = node_.isEmpty() ? nullptr : document_->graph().node(node_);
    const auto* info = node && !node->unknown_type ? document_->graph().type_of(node_) : nullptr;
    if (!info || !form_) return;
    // A parameter that applies only to some choices of another is shown only then.
    for (const auto& schema : info->parameters) {
        if (schema.shown_when.isEmpty() || !editors_.contains(schema.name)) continue;
        const QString other = node->parameters.value(schema.shown_when).toString();
        form_->setRowVisible(editors_.value(schema.name).row, schema.shown_when_values.contains(other));
    }
}

QWidget* Inspector::editor_for(const QString& parameter) const {
    return editors_.contains(parameter) ? editors_.value(parameter).editor : nullptr;
}

bool Inspector::parameter_shown(const QString& parameter) const {
    if (!form_ || !editors_.contains(parameter)) return false;
    return form_->isRowVisible(editors_.value(parameter).row);
}

QString Inspector::error_text() const { return error_->text(); }

void Inspector::commit(const QString& name, const QVariant& value) {
    if (node_.isEmpty()) return;
    QString error;
    if (document_->set_parameter(node_, name, value, &error)) {
        error_->clear();
        error_->hide();
        return;
    }
    error_->setText(error);
    error_->show();
    // Show the value the graph kept.
    if (const auto* node = document_->graph().node(node_); node && editors_.contains(name))
        editors_.value(name).show(node->parameters.value(name));
}

void Inspector::on_parameter_changed(const QString& node, const QString& name) {
    if (node != node_ || !editors_.contains(name)) return;
    if (const auto* n = document_->graph().node(node)) editors_.value(name).show(n->parameters.value(name));
    update_visibility();
}

}  // namespace irl::studio
