// Node parameters and their schema (type, default, range or choices, unit, tooltip): the GUI builds
// its editors from it, graph files are validated against it.
#pragma once

#include <QString>
#include <QStringList>
#include <QVariant>

#include <optional>

namespace irl::nodes {

// Its names: the table in parameter_schema.cpp (a new value goes there too).
enum class ParameterKind { Integer, Number, Boolean, Choice, Text, File };
QString to_string(ParameterKind kind);

struct ParameterSchema {
    QString name;           // key in the node's parameter map
    QString label;          // what the inspector shows
    ParameterKind kind = ParameterKind::Number;
    QVariant default_value;
    double minimum = 0.0;   // Integer and Number
    double maximum = 0.0;   // Integer and Number; minimum == maximum means unbounded
    QStringList choices;    // Choice
    QString unit;
    QString tooltip;
    QString file_filter;    // File: e.g. "Weights (*.pt)"
    // Shown in the inspector only while the parameter `shown_when` has one of these values (for
    // a parameter that only applies to some choices of another); empty: always shown.
    QString shown_when;
    QStringList shown_when_values;

    static ParameterSchema integer(QString name, QString label, qlonglong value, qlonglong min, qlonglong max, QString tooltip = {});
    static ParameterSchema number(QString name, QString label, double value, double min, double max, QString tooltip = {});
    static ParameterSchema boolean(QString name, QString label, bool value, QString tooltip = {});
    static ParameterSchema choice(QString name, QString label, QStringList choices, QString value, QString tooltip = {});
    static ParameterSchema text(QString name, QString label, QString value, QString tooltip = {});
    static ParameterSchema file(QString name, QString label, QString filter, QString tooltip = {});
    ParameterSchema& with_unit(QString u) { unit = std::move(u); return *this; }
    ParameterSchema& shown_if(QString parameter, QStringList values) {
        shown_when = std::move(parameter);
        shown_when_values = std::move(values);
        return *this;
    }

    bool bounded() const { return maximum > minimum; }
    // The value converted to this schema's type, or an error like
    // `expected an integer in 1..1000, got "ten"` (without the place, which the caller knows).
    std::optional<QVariant> validate(const QVariant& value, QString* error) const;
};

}  // namespace irl::nodes
