// One dark theme for the whole studio: Fusion with a dark palette and a few style-sheet touches.
#pragma once

class QApplication;

namespace irl::studio {
void apply_theme(QApplication& app);
}
