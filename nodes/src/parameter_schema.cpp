#include "irl/nodes/parameter_schema.h"

#include "irl/engine/core/enum_names.h"

#include <QJsonDocument>
#include <QJsonValue>

#include <cmath>

namespace irl::nodes {
namespace {

QString shown(const QVariant& value) {
    // As it appears in a graph file: strings quoted, numbers plain.
    const QJsonValue json = QJsonValue::fromVariant(value);
    if (json.isString()) return "\"" + json.toString() + "\"";
    if (json.isNull() || json.isUndefined()) return "nothing";
    if (json.isBool()) return json.toBool() ? "true" : "false";
    if (json.isDouble()) return QString::number(json.toDouble(), 'g', 17);
    return json.isArray() ? "a list" : "an object";
}

QString format_bound(double v) { return QString::number(v, 'g', 12); }

constexpr EnumNames<ParameterKind, 6> kKindNames = {{
    {ParameterKind::Integer, "integer"}, {ParameterKind::Number, "number"}, {ParameterKind::Boolean, "boolean"},
    {ParameterKind::Choice, "choice"},   {ParameterKind::Text, "text"},     {ParameterKind::File, "file"},
}};
static_assert(in_enum_order(kKindNames), "kKindNames must follow enum ParameterKind");
static_assert(static_cast<size_t>(ParameterKind::File) + 1 == kKindNames.size(), "every parameter kind needs a name");

}  // namespace

QString to_string(ParameterKind kind) { return enum_name(kKindNames, kind); }

namespace {

ParameterSchema with_basics(QString name, QString label, ParameterKind kind, QVariant value, QString tooltip) {
    ParameterSchema s;
    s.name = std::move(name);
    s.label = std::move(label);
    s.kind = kind;
    s.default_value = std::move(value);
    s.tooltip = std::move(tooltip);
    return s;
}

bool is_number(const QVariant& value) {
    const auto t = static_cast<QMetaType::Type>(value.typeId());
    return t == QMetaType::Int || t == QMetaType::LongLong || t == QMetaType::Double || t == QMetaType::UInt ||
           t == QMetaType::ULongLong;
}

}  // namespace

ParameterSchema ParameterSchema::integer(QString name, QString label, qlonglong value, qlonglong min, qlonglong max, QString tooltip) {
    ParameterSchema s = with_basics(std::move(name), std::move(label), ParameterKind::Integer, value, std::move(tooltip));
    s.minimum = double(min);
    s.maximum = double(max);
    return s;
}

ParameterSchema ParameterSchema::number(QString name, QString label, double value, double min, double max, QString tooltip) {
    ParameterSchema s = with_basics(std::move(name), std::move(label), ParameterKind::Number, value, std::move(tooltip));
    s.minimum = min;
    s.maximum = max;
    return s;
}

ParameterSchema ParameterSchema::boolean(QString name, QString label, bool value, QString tooltip) {
    return with_basics(std::move(name), std::move(label), ParameterKind::Boolean, value, std::move(tooltip));
}

ParameterSchema ParameterSchema::choice(QString name, QString label, QStringList choices, QString value, QString tooltip) {
    ParameterSchema s = with_basics(std::move(name), std::move(label), ParameterKind::Choice, value, std::move(tooltip));
    s.choices = std::move(choices);
    return s;
}

ParameterSchema ParameterSchema::text(QString name, QString label, QString value, QString tooltip) {
    return with_basics(std::move(name), std::move(label), ParameterKind::Text, value, std::move(tooltip));
}

ParameterSchema ParameterSchema::file(QString name, QString label, QString filter, QString tooltip) {
    ParameterSchema s = with_basics(std::move(name), std::move(label), ParameterKind::File, QString(), std::move(tooltip));
    s.file_filter = std::move(filter);
    return s;
}

std::optional<QVariant> ParameterSchema::validate(const QVariant& value, QString* error) const {
    auto fail = [&](const QString& expected) -> std::optional<QVariant> {
        if (error) *error = "expected " + expected + ", got " + shown(value);
        return std::nullopt;
    };
    const QString range = bounded() ? " in " + format_bound(minimum) + ".." + format_bound(maximum) : QString();
    switch (kind) {
    case ParameterKind::Integer: {
        const double v = value.toDouble();
        if (!is_number(value) || std::floor(v) != v || (bounded() && (v < minimum || v > maximum))) return fail("an integer" + range);
        return QVariant(qlonglong(v));
    }
    case ParameterKind::Number: {
        const double v = value.toDouble();
        if (!is_number(value) || !std::isfinite(v) || (bounded() && (v < minimum || v > maximum))) return fail("a number" + range);
        return QVariant(v);
    }
    case ParameterKind::Boolean:
        if (value.typeId() != QMetaType::Bool) return fail("true or false");
        return value;
    case ParameterKind::Choice:
        if (value.typeId() != QMetaType::QString || !choices.contains(value.toString()))
            return fail("one of " + choices.join(", "));
        return value;
    case ParameterKind::Text:
    case ParameterKind::File:
        if (value.typeId() != QMetaType::QString) return fail(kind == ParameterKind::File ? "a file path" : "text");
        return value;
    }
    return fail("a value");
}

}  // namespace irl::nodes
