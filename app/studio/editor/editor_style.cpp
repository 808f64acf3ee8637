// The editor's colour choices in one place, so that the canvas, the palette and the badges agree.
// The built-in pack declares port colours far apart in hue and bright enough to read on #2b2b2b;
// categories are muted.
#include "editor_style.h"

#include "irl/nodes/executor.h"

#include <QHash>

namespace irl::studio::editor_style {

using irl::nodes::NodeStatus;

QColor port_color(const irl::nodes::NodeRegistry* registry, const QString& type) {
    const irl::nodes::PortTypeInfo* info = registry ? registry->port_type(type) : nullptr;
    const QColor declared = info ? QColor(info->colour) : QColor();
    if (declared.isValid()) return declared;
    return QColor::fromHsv(int(qHash(type) % 360), 150, 230);
}

QString port_type_label(const irl::nodes::NodeRegistry* registry, const QString& type) {
    return registry ? registry->port_label(type) : type;
}

QColor category_color(const QString& category) {
    static const QHash<QString, QColor> known{
        {"Models", QColor(0x8e, 0x6f, 0xd8)},   {"Sampling", QColor(0x3f, 0x93, 0xcf)},
        {"Data", QColor(0xc9, 0x9a, 0x3e)},     {"Learning", QColor(0xc8, 0x5a, 0x6a)},
        {"Output", QColor(0x55, 0xa8, 0x6a)},   {"Metrics", QColor(0x78, 0x90, 0x9c)},
    };
    if (auto it = known.find(category); it != known.end()) return *it;
    // A category from a third-party pack still gets a stable, muted colour.
    return QColor::fromHsv(int(qHash(category) % 360), 110, 190);
}

QColor status_color(int status) {
    switch (NodeStatus(status)) {
    case NodeStatus::Pending: return QColor(0x8a, 0x8a, 0x8a);
    case NodeStatus::Running: return QColor(0x42, 0xa5, 0xf5);
    case NodeStatus::Cached: return QColor(0x26, 0xa6, 0x9a);
    case NodeStatus::Done: return QColor(0x66, 0xbb, 0x6a);
    case NodeStatus::Failed: return QColor(0xef, 0x53, 0x50);
    case NodeStatus::Cancelled: return QColor(0xff, 0xb7, 0x4d);
    }
    return {};
}

QString status_name(int status) {
    if (status < int(NodeStatus::Pending) || status > int(NodeStatus::Cancelled)) return {};
    return irl::nodes::to_string(NodeStatus(status));
}

QColor background() { return QColor(0x2b, 0x2b, 0x2b); }
QColor grid_minor() { return QColor(0x31, 0x31, 0x31); }
QColor grid_major() { return QColor(0x38, 0x38, 0x38); }
QColor node_body() { return QColor(0x3a, 0x3d, 0x41); }
QColor node_header() { return QColor(0x46, 0x4a, 0x50); }
QColor node_border() { return QColor(0x1c, 0x1c, 0x1c); }
QColor selection() { return QColor(0xff, 0xc8, 0x57); }
QColor text() { return QColor(0xe8, 0xe8, 0xe8); }
QColor dim_text() { return QColor(0xb0, 0xb0, 0xb0); }
QColor port_text() { return QColor(0xc8, 0xc8, 0xc8); }
QColor result_text() { return QColor(0x9c, 0xd6, 0xff); }
QColor error_text() { return QColor(0xff, 0x8a, 0x80); }
QColor unknown_body() { return QColor(0x33, 0x33, 0x33); }
QColor unknown_header() { return QColor(0x3b, 0x3b, 0x3b); }
QColor unknown_stripe() { return QColor(0x66, 0x66, 0x66); }

}  // namespace irl::studio::editor_style
