// Spin boxes commit when a value is confirmed (keyboard tracking off) or stepped; text fields on
// editingFinished. `show` blocks the editor's signals so that undo does not echo back as an edit.
#include "parameter_editor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QToolButton>

#include <climits>
#include <cmath>

namespace irl::studio {

using irl::nodes::ParameterKind;
using irl::nodes::ParameterSchema;

namespace {

int decimals_for(double value) {
    if (value == 0.0) return 0;
    return int(std::ceil(-std::log10(std::abs(value)))) + 1;
}

QWidget* integer_editor(const ParameterSchema& schema, QWidget* parent, std::function<void(const QVariant&)> commit,
                        std::function<void(const QVariant&)>& show) {
    auto* box = new QSpinBox(parent);
    const auto to_int = [](double v) { return int(std::clamp(v, double(INT_MIN + 1), double(INT_MAX))); };
    if (schema.bounded()) box->setRange(to_int(std::ceil(schema.minimum)), to_int(std::floor(schema.maximum)));
    else box->setRange(INT_MIN + 1, INT_MAX);
    if (!schema.unit.isEmpty()) box->setSuffix(" " + schema.unit);
    box->setKeyboardTracking(false);
    box->setAccelerated(true);
    QObject::connect(box, &QSpinBox::valueChanged, box, [commit](int v) { commit(qlonglong(v)); });
    show = [box](const QVariant& v) {
        const QSignalBlocker block(box);
        box->setValue(int(v.toLongLong()));
    };
    return box;
}

QWidget* number_editor(const ParameterSchema& schema, QWidget* parent, std::function<void(const QVariant&)> commit,
                       std::function<void(const QVariant&)>& show) {
    auto* box = new QDoubleSpinBox(parent);
    box->setDecimals(number_decimals(schema));
    if (schema.bounded()) box->setRange(schema.minimum, schema.maximum);
    else box->setRange(-1e12, 1e12);
    box->setSingleStep(number_step(schema));
    if (!schema.unit.isEmpty()) box->setSuffix(" " + schema.unit);
    box->setKeyboardTracking(false);
    box->setAccelerated(true);
    QObject::connect(box, &QDoubleSpinBox::valueChanged, box, [commit](double v) { commit(v); });
    show = [box](const QVariant& v) {
        const QSignalBlocker block(box);
        box->setValue(v.toDouble());
    };
    return box;
}

QWidget* boolean_editor(QWidget* parent, std::function<void(const QVariant&)> commit,
                        std::function<void(const QVariant&)>& show) {
    auto* box = new QCheckBox(parent);
    QObject::connect(box, &QCheckBox::toggled, box, [commit](bool v) { commit(v); });
    show = [box](const QVariant& v) {
        const QSignalBlocker block(box);
        box->setChecked(v.toBool());
    };
    return box;
}

QWidget* choice_editor(const ParameterSchema& schema, QWidget* parent, std::function<void(const QVariant&)> commit,
                       std::function<void(const QVariant&)>& show) {
    auto* box = new QComboBox(parent);
    box->addItems(schema.choices);
    QObject::connect(box, &QComboBox::currentIndexChanged, box, [box, commit](int index) {
        if (index >= 0) commit(box->itemText(index));
    });
    show = [box](const QVariant& v) {
        const QSignalBlocker block(box);
        box->setCurrentIndex(box->findText(v.toString()));
    };
    return box;
}

QLineEdit* text_editor(QWidget* parent, std::function<void(const QVariant&)> commit,
                       std::function<void(const QVariant&)>& show) {
    auto* line = new QLineEdit(parent);
    // editingFinished also fires on focus loss without a change; the document ignores no-ops.
    QObject::connect(line, &QLineEdit::editingFinished, line, [line, commit] { commit(line->text()); });
    show = [line](const QVariant& v) {
        const QSignalBlocker block(line);
        line->setText(v.toString());
    };
    return line;
}

}  // namespace

int number_decimals(const ParameterSchema& schema) {
    int decimals = 3;
    if (schema.bounded()) decimals = std::max(decimals, decimals_for(schema.minimum) + 1);
    decimals = std::max(decimals, decimals_for(schema.default_value.toDouble()) + 1);
    return std::clamp(decimals, 3, 8);
}

double number_step(const ParameterSchema& schema) {
    double reference = std::abs(schema.default_value.toDouble());
    if (reference == 0.0) reference = schema.bounded() ? (schema.maximum - schema.minimum) / 10 : 1.0;
    const double step = std::pow(10.0, std::floor(std::log10(reference)) - 1);
    return std::max(step, std::pow(10.0, -number_decimals(schema)));
}

ParameterEditor make_parameter_editor(const ParameterSchema& schema, QWidget* parent,
                                      std::function<void(const QVariant&)> commit) {
    ParameterEditor made;
    switch (schema.kind) {
    case ParameterKind::Integer: made.editor = integer_editor(schema, parent, commit, made.show); break;
    case ParameterKind::Number: made.editor = number_editor(schema, parent, commit, made.show); break;
    case ParameterKind::Boolean: made.editor = boolean_editor(parent, commit, made.show); break;
    case ParameterKind::Choice: made.editor = choice_editor(schema, parent, commit, made.show); break;
    case ParameterKind::Text: made.editor = text_editor(parent, commit, made.show); break;
    case ParameterKind::File: {
        auto* row = new QWidget(parent);
        auto* layout = new QHBoxLayout(row);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->setSpacing(4);
        QLineEdit* line = text_editor(row, commit, made.show);
        line->setPlaceholderText(schema.file_filter);
        auto* browse = new QToolButton(row);
        browse->setText(QStringLiteral("…"));
        browse->setToolTip(QObject::tr("Choose a file"));
        layout->addWidget(line, 1);
        layout->addWidget(browse);
        const QString title = schema.label.isEmpty() ? schema.name : schema.label;
        const QString filter = schema.file_filter;
        QObject::connect(browse, &QToolButton::clicked, row, [row, line, commit, title, filter] {
            const QString start = line->text().isEmpty() ? QString() : QFileInfo(line->text()).absolutePath();
            const QString path = QFileDialog::getOpenFileName(row, title, start, filter);
            if (path.isEmpty()) return;
            line->setText(path);
            commit(path);
        });
        made.editor = line;
        made.row = row;
        break;
    }
    }
    if (!made.row) made.row = made.editor;
    if (!schema.tooltip.isEmpty()) {
        made.row->setToolTip(schema.tooltip);
        made.editor->setToolTip(schema.tooltip);
    }
    return made;
}

}  // namespace irl::studio
