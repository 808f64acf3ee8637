// Measures how responsive the window is: a precise 5 ms timer on the GUI thread notes the gap
// between its ticks; a gap is how long the event loop could not answer input or repaint.
#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>
#include <QVector>

namespace irl::studio {

struct StallStats {
    double seconds = 0.0;
    int ticks = 0;
    double max_gap_ms = 0.0;  // the longest time between two ticks (5 ms when nothing blocks)
    double p99_gap_ms = 0.0;
    int over_50ms = 0;
};

class StallMonitor : public QObject {
    Q_OBJECT
public:
    explicit StallMonitor(QObject* parent = nullptr);
    void start();
    StallStats stop();

private:
    QTimer timer_;
    QElapsedTimer clock_;
    qint64 last_ns_ = 0;
    QVector<double> gaps_ms_;
};

}  // namespace irl::studio
