#include "stall_monitor.h"

#include <algorithm>

namespace irl::studio {

StallMonitor::StallMonitor(QObject* parent) : QObject(parent) {
    timer_.setTimerType(Qt::PreciseTimer);
    timer_.setInterval(5);
    connect(&timer_, &QTimer::timeout, this, [this] {
        const qint64 now = clock_.nsecsElapsed();
        gaps_ms_.push_back((now - last_ns_) / 1e6);
        last_ns_ = now;
    });
}

void StallMonitor::start() {
    gaps_ms_.clear();
    clock_.start();
    last_ns_ = 0;
    timer_.start();
}

StallStats StallMonitor::stop() {
    timer_.stop();
    StallStats stats;
    stats.seconds = clock_.nsecsElapsed() / 1e9;
    stats.ticks = gaps_ms_.size();
    if (gaps_ms_.isEmpty()) return stats;
    QVector<double> sorted = gaps_ms_;
    std::sort(sorted.begin(), sorted.end());
    stats.max_gap_ms = sorted.last();
    stats.p99_gap_ms = sorted[std::min<qsizetype>(sorted.size() - 1, static_cast<qsizetype>(0.99 * sorted.size()))];
    stats.over_50ms = static_cast<int>(std::count_if(sorted.begin(), sorted.end(), [](double g) { return g > 50.0; }));
    return stats;
}

}  // namespace irl::studio
