#include "progress_bar.h"

#include <cstdio>
#include <unistd.h>

namespace irl::cli {

std::string format_duration(double seconds) {
    if (!(seconds >= 0) || seconds > 1e8) return "?";
    const long s = static_cast<long>(seconds + 0.5);
    char text[32];
    if (s >= 3600) std::snprintf(text, sizeof text, "%ldh%02ldm", s / 3600, (s / 60) % 60);
    else if (s >= 60) std::snprintf(text, sizeof text, "%ldm%02lds", s / 60, s % 60);
    else std::snprintf(text, sizeof text, "%lds", s);
    return text;
}

void ProgressBar::update(int64_t done, int64_t total, double seconds, const std::string& detail, int64_t done_at_start) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    const bool final = done >= total;
    if (drawn_ && !final && now - last_draw_ < std::chrono::milliseconds(250)) return;
    last_draw_ = now;
    drawn_ = true;
    constexpr int kWidth = 28;
    const double fraction = total > 0 ? double(done) / double(total) : 1.0;
    const int filled = static_cast<int>(fraction * kWidth);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(kWidth, '.');
    const int64_t done_here = done - done_at_start;
    const double rate = done_here > 0 ? seconds / double(done_here) : 0.0;
    const double eta = rate * double(total - done);
    // On a terminal redraw in place; in a log file write one line per update.
    const bool tty = ::isatty(STDERR_FILENO);
    std::fprintf(stderr, "%s%s [%s] %lld/%lld  %.3g s/it  ETA %s  %s%s", tty ? "\r\033[K" : "", label_.c_str(), bar.c_str(),
                 static_cast<long long>(done), static_cast<long long>(total), rate, format_duration(eta).c_str(),
                 detail.c_str(), tty ? "" : "\n");
    std::fflush(stderr);
}

void ProgressBar::finish() {
    if (enabled_ && drawn_ && ::isatty(STDERR_FILENO)) std::fprintf(stderr, "\n");
}

}  // namespace irl::cli
