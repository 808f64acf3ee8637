// Cooperative cancellation for long engine jobs.
// One token per job; samplers and trainers check it before every denoiser call.
#pragma once

#include <atomic>
#include <stdexcept>

namespace irl {

class Cancelled : public std::runtime_error {
public:
    Cancelled() : std::runtime_error("cancelled") {}
};

class CancelToken {
public:
    void cancel() noexcept { flag_.store(true, std::memory_order_relaxed); }
    void reset() noexcept { flag_.store(false, std::memory_order_relaxed); }
    bool cancelled() const noexcept { return flag_.load(std::memory_order_relaxed); }
    // Throws Cancelled when cancel() was called; the sampler calls this before each denoise.
    void throw_if_cancelled() const;

private:
    std::atomic<bool> flag_{false};
};

}  // namespace irl
