#include "theme.h"

#include <QApplication>
#include <QPalette>
#include <QStyleFactory>

namespace irl::studio {

void apply_theme(QApplication& app) {
    app.setStyle(QStyleFactory::create("Fusion"));
    QPalette p;
    const QColor window(43, 45, 49), base(30, 31, 34), text(222, 224, 228), disabled(120, 124, 130), accent(86, 156, 214);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, QColor(38, 40, 44));
    p.setColor(QPalette::ToolTipBase, QColor(250, 250, 240));
    p.setColor(QPalette::ToolTipText, QColor(20, 20, 20));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(55, 58, 63));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(255, 120, 110));
    p.setColor(QPalette::Link, accent);
    p.setColor(QPalette::Highlight, accent);
    p.setColor(QPalette::HighlightedText, QColor(15, 15, 15));
    p.setColor(QPalette::PlaceholderText, disabled);
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabled);
    app.setPalette(p);
    app.setStyleSheet(
        "QToolTip { border: 1px solid #555; padding: 3px; }"
        "QDockWidget::title { padding: 4px; background: #35373c; }"
        "QTabBar::tab { padding: 5px 14px; }"
        "QToolBar { spacing: 4px; border: none; }"
        "QStatusBar QLabel { padding: 0 4px; }");
}

}  // namespace irl::studio
