#include "theme.h"

#include "editor_style.h"

#include <QApplication>
#include <QStyleFactory>
#include <QToolTip>

#include <algorithm>
#include <cmath>

namespace irl::studio {
namespace {

const QColor kWindow(43, 45, 49), kBase(30, 31, 34), kText(222, 224, 228), kDisabled(166, 170, 176), kAccent(86, 156, 214);
const QColor kButton(55, 58, 63), kTooltipBase(52, 55, 61), kTooltipText(240, 241, 243), kBright(255, 138, 128);
const QColor kLink(120, 180, 235), kHighlightedText(15, 15, 15);

double channel(double c) { return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4); }

double luminance(const QColor& c) { return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF()); }

}  // namespace

const ThemeColours& theme_colours() {
    static const ThemeColours colours{kBase,
                                      QColor(60, 63, 68),
                                      QColor(154, 160, 166),
                                      kTooltipText,
                                      QColor(255, 200, 87),
                                      QColor(37, 38, 42),
                                      QColor(70, 73, 80),
                                      kTooltipText,
                                      QColor(74, 63, 30),
                                      QColor(138, 116, 52),
                                      QColor(243, 230, 192)};
    return colours;
}

QString picture_box_style(const QString& widget) {
    const ThemeColours& c = theme_colours();
    return QStringLiteral("%1 { background: %2; border: 1px solid %3; border-radius: 4px; color: %4; }")
        .arg(widget, c.picture_background.name(), c.picture_frame.name(), c.caption.name());
}

double contrast_ratio(const QColor& a, const QColor& b) {
    const double la = luminance(a), lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

QPalette studio_palette() {
    QPalette p;
    p.setColor(QPalette::Window, kWindow);
    p.setColor(QPalette::WindowText, kText);
    p.setColor(QPalette::Base, kBase);
    p.setColor(QPalette::AlternateBase, QColor(38, 40, 44));
    p.setColor(QPalette::ToolTipBase, kTooltipBase);
    p.setColor(QPalette::ToolTipText, kTooltipText);
    p.setColor(QPalette::Text, kText);
    p.setColor(QPalette::Button, kButton);
    p.setColor(QPalette::ButtonText, kText);
    p.setColor(QPalette::BrightText, kBright);
    p.setColor(QPalette::Link, kLink);
    p.setColor(QPalette::Highlight, kAccent);
    p.setColor(QPalette::HighlightedText, kHighlightedText);
    p.setColor(QPalette::PlaceholderText, kDisabled);
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText}) p.setColor(QPalette::Disabled, role, kDisabled);
    return p;
}

QVector<ColourPair> theme_colour_pairs() {
    const QPalette p = studio_palette();
    return {{"window text", p.color(QPalette::WindowText), p.color(QPalette::Window)},
            {"text", p.color(QPalette::Text), p.color(QPalette::Base)},
            {"button text", p.color(QPalette::ButtonText), p.color(QPalette::Button)},
            {"tooltip", p.color(QPalette::ToolTipText), p.color(QPalette::ToolTipBase)},
            {"highlighted text", p.color(QPalette::HighlightedText), p.color(QPalette::Highlight)},
            {"disabled window text", p.color(QPalette::Disabled, QPalette::WindowText), p.color(QPalette::Window)},
            {"disabled text", p.color(QPalette::Disabled, QPalette::Text), p.color(QPalette::Base)},
            {"disabled button text", p.color(QPalette::Disabled, QPalette::ButtonText), p.color(QPalette::Button)},
            {"placeholder text", p.color(QPalette::PlaceholderText), p.color(QPalette::Base)},
            {"link", p.color(QPalette::Link), p.color(QPalette::Base)},
            {"bright text", p.color(QPalette::BrightText), p.color(QPalette::Window)},
            {"picture caption", theme_colours().caption, theme_colours().picture_background},
            {"placeholder on the window", theme_colours().caption, p.color(QPalette::Window)},
            {"letters over pictures", theme_colours().overlay_text, theme_colours().picture_background},
            {"chart placeholder", theme_colours().caption, theme_colours().chart_background},
            {"reference line on a chart", theme_colours().reference_line, theme_colours().chart_background},
            {"banner text", theme_colours().banner_text, theme_colours().banner_background},
            // The node editor's own colours.
            {"node title", editor_style::text(), editor_style::node_header()},
            {"port names", editor_style::port_text(), editor_style::node_body()},
            {"node results", editor_style::result_text(), editor_style::node_body()},
            {"dim text on a node", editor_style::dim_text(), editor_style::node_body()},
            {"dim text on the window", editor_style::dim_text(), p.color(QPalette::Window)},
            {"unknown node title", editor_style::dim_text(), editor_style::unknown_header()},
            {"unknown node ports", editor_style::dim_text(), editor_style::unknown_body()},
            {"error text", editor_style::error_text(), p.color(QPalette::Window)},
            {"error in a tooltip", editor_style::error_text(), p.color(QPalette::ToolTipBase)}};
}

void apply_theme(QApplication& app) {
    app.setStyle(QStyleFactory::create("Fusion"));
    const QPalette p = studio_palette();
    app.setPalette(p);
    QToolTip::setPalette(p);
    // The style sheet names the tooltip's colours too: a style sheet that styles QToolTip at all
    // makes Qt draw it with the window background, and text meant for ToolTipBase vanished on it.
    app.setStyleSheet(QString("QToolTip { color: %1; background-color: %2; border: 1px solid #6b6f76; padding: 3px; }"
                              "QDockWidget::title { padding: 4px; background: #35373c; }"
                              "QTabBar::tab { padding: 5px 14px; }"
                              "QToolBar { spacing: 4px; border: none; }"
                              "QStatusBar QLabel { padding: 0 4px; }")
                          .arg(kTooltipText.name(), kTooltipBase.name()));
}

}  // namespace irl::studio
