// How a process sets itself up for tensor work, once, at its start: how the allocator treats
// large blocks, and how many threads LibTorch's operators use. Every front end (the CLI, the
// studio, the tests) sets them through here.
#pragma once

namespace irl {

// The thread count when the user gives none: OMP_NUM_THREADS when it is set to a whole number
// 1..256, else one per logical core this process may run on (sched_getaffinity). (LibTorch's own
// default is its guess of the physical cores, which is 1 on the team's 2-core machine.)
int default_compute_threads();
// Intra-op threads, for LibTorch and for OpenMP alike (at::set_num_threads sets both); 1..256.
// Throws std::invalid_argument outside that range.
void use_compute_threads(int threads);
int compute_threads();

// glibc's malloc gives every freed block above its mmap threshold back to the system, and a
// dynamic threshold starts low: so each large tensor of a denoiser call page-faults fresh,
// zeroed memory in, call after call. This keeps blocks up to 32 MiB (the largest threshold glibc
// allows) in the heap for reuse, and trims the heap only above 512 MiB free. Measured on the
// bundled U-Net, 64 images a call: 912 483 page faults and 5.4 s of system time became about
// 42 000 and 0.4 s (docs/performance.md). Larger blocks are still mapped: the sampler keeps
// its calls below that size.
void keep_freed_memory_for_reuse();

}  // namespace irl
