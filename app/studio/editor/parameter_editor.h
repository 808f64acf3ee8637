// One editing widget per parameter kind, built from its schema: the inspector asks for an editor,
// gets told of every user edit through `commit`, and pushes document values back with `show`
// (which never re-emits an edit).
#pragma once

#include "irl/nodes/parameter_schema.h"

#include <QVariant>

#include <functional>

class QWidget;

namespace irl::studio {

struct ParameterEditor {
    QWidget* row = nullptr;     // what goes into the form (the editor, or the editor and a button)
    QWidget* editor = nullptr;  // the widget holding the value
    std::function<void(const QVariant&)> show;
};

ParameterEditor make_parameter_editor(const irl::nodes::ParameterSchema& schema, QWidget* parent,
                                      std::function<void(const QVariant&)> commit);

// Decimals and step for a Number schema: enough digits for its smallest meaningful value, and a
// step of about a tenth of its default (so σ max = 80 steps by 1, a churn of 0.4 by 0.01).
int number_decimals(const irl::nodes::ParameterSchema& schema);
double number_step(const irl::nodes::ParameterSchema& schema);

}  // namespace irl::studio
