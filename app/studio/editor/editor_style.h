// Colours and sizes shared by the node editor's items: port colours as the packs declare them, a
// colour per palette category and per run status, all tuned for the studio's dark background.
#pragma once

#include "irl/nodes/node_registry.h"

#include <QColor>
#include <QString>

namespace irl::studio {

namespace editor_style {

inline constexpr double kNodeWidth = 190.0;
inline constexpr double kHeaderHeight = 30.0;
inline constexpr double kPortRowHeight = 22.0;
inline constexpr double kPortRadius = 6.0;
inline constexpr double kCornerRadius = 7.0;

// The colour a pack declared for the port type; a stable colour from the id when none did.
QColor port_color(const irl::nodes::NodeRegistry* registry, const QString& type);
// "Denoiser", "Churn action", ...: the declared label, or the id.
QString port_type_label(const irl::nodes::NodeRegistry* registry, const QString& type);
QColor category_color(const QString& category);
// `status` is int(irl::nodes::NodeStatus); anything else (no status) gives an invalid colour.
QColor status_color(int status);
QString status_name(int status);

QColor background();
QColor grid_minor();
QColor grid_major();
QColor node_body();
QColor node_header();
QColor node_border();
QColor selection();
QColor text();
QColor dim_text();        // on the window, a node's body and an unknown node's header
QColor port_text();       // port names on a node's body
QColor result_text();     // a node's last results on its body
QColor error_text();      // errors, on the window and in tooltips
QColor unknown_body();    // a node whose type no loaded pack has
QColor unknown_header();
QColor unknown_stripe();

}  // namespace editor_style

}  // namespace irl::studio
