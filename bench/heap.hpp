// Heap accounting for the benchmark binaries: heap.cpp replaces malloc and
// friends (every operator new, Eigen's aligned allocations and the peers'
// allocators end there) with versions that count.
#pragma once

#include <cstdint>

namespace bench::heap {

// Allocations since the program started (malloc, calloc, realloc,
// memalign, posix_memalign, aligned_alloc).
std::uint64_t allocations();
// Bytes currently allocated (usable sizes).
std::int64_t live_bytes();

}  // namespace bench::heap
