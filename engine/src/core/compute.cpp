#include "irl/engine/core/compute.h"

#include "irl/engine/core/number_text.h"

#include <ATen/Parallel.h>

#include <malloc.h>
#include <sched.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

namespace irl {

int default_compute_threads() {
    // A limit the user set for OpenMP programs holds here too (a container with a CPU quota may
    // show every core of its host).
    if (const char* omp = std::getenv("OMP_NUM_THREADS")) {
        const std::optional<double> value = number_from_text(omp);
        if (value && *value >= 1 && *value <= 256 && *value == std::floor(*value)) return static_cast<int>(*value);
    }
    // The cores this process may run on (a container or taskset may allow fewer than the machine has).
    cpu_set_t allowed;
    CPU_ZERO(&allowed);
    int cores = sched_getaffinity(0, sizeof allowed, &allowed) == 0 ? CPU_COUNT(&allowed) : 0;
    if (cores <= 0) cores = static_cast<int>(std::thread::hardware_concurrency());
    return std::clamp(cores, 1, 256);
}

void use_compute_threads(int threads) {
    if (threads < 1 || threads > 256)
        throw std::invalid_argument("the number of compute threads must be 1 to 256, not " + std::to_string(threads));
    at::set_num_threads(threads);
}

int compute_threads() { return at::get_num_threads(); }

void keep_freed_memory_for_reuse() {
    constexpr int kLargestMmapThreshold = 32 * 1024 * 1024;  // 4 MiB * sizeof(long) on 64-bit (mallopt(3))
    mallopt(M_MMAP_THRESHOLD, kLargestMmapThreshold);
    mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
}

}  // namespace irl
