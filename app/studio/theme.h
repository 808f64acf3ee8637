// One dark theme for the whole studio: Fusion with a dark palette, tooltips styled from the same
// colours, and a few style-sheet touches. Every text colour reads on its background (WCAG contrast
// of at least 4.5:1, disabled text and tooltips included).
#pragma once

#include <QColor>
#include <QPalette>
#include <QString>
#include <QVector>

class QApplication;

namespace irl::studio {

QPalette studio_palette();
void apply_theme(QApplication& app);

// The studio's colours beyond the palette, for the widgets that paint or style themselves.
struct ThemeColours {
    QColor picture_background;  // behind every picture (the palette's Base)
    QColor picture_frame;
    QColor caption;             // text in a picture box, and placeholders
    QColor overlay_text;        // letters drawn over pictures
    QColor marker;              // the swipe comparison's divider
    QColor chart_background;
    QColor chart_grid;
    QColor reference_line;      // a level a chart compares with (the best classic solver's score)
    QColor banner_background;   // the notice above the canvas after a file was migrated
    QColor banner_border;
    QColor banner_text;
};
const ThemeColours& theme_colours();
// The style sheet of a framed picture box; `widget` is the class it styles (QLabel, QScrollArea).
QString picture_box_style(const QString& widget = QStringLiteral("QLabel"));

// The text/background pairs the studio draws, by name ("tooltip", "disabled text", ...).
struct ColourPair {
    QString name;
    QColor text;
    QColor background;
};
QVector<ColourPair> theme_colour_pairs();

// WCAG 2 contrast ratio of two colours: (L1 + 0.05) / (L2 + 0.05) of their relative luminances.
double contrast_ratio(const QColor& a, const QColor& b);

}  // namespace irl::studio
