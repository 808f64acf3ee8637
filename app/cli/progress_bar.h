// A one-line progress bar with rate and ETA on stderr, redrawn at most a few times a second.
// Shared by every long CLI command.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace irl::cli {

class ProgressBar {
public:
    explicit ProgressBar(std::string label, bool enabled = true) : label_(std::move(label)), enabled_(enabled) {}
    // done of total units; `detail` is appended (e.g. the current loss).
    void update(int64_t done, int64_t total, double seconds, const std::string& detail = {}, int64_t done_at_start = 0);
    void finish();

private:
    std::string label_;
    bool enabled_;
    std::chrono::steady_clock::time_point last_draw_{};
    bool drawn_ = false;
};

std::string format_duration(double seconds);

}  // namespace irl::cli
