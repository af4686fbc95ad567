// Counting replacements of the C allocation functions. Defined in the
// executable, they interpose on glibc's for the whole process, shared
// libraries included; they forward to glibc's own entry points.
#include "heap.hpp"

#include <malloc.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdlib>

extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);
}

namespace {
std::atomic<std::uint64_t> count{0};
std::atomic<std::int64_t> live{0};

void* note(void* p) {
  if (p != nullptr) {
    count.fetch_add(1, std::memory_order_relaxed);
    live.fetch_add(static_cast<std::int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
  }
  return p;
}
void forget(void* p) {
  if (p != nullptr)
    live.fetch_sub(static_cast<std::int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
}
}  // namespace

namespace bench::heap {
std::uint64_t allocations() { return count.load(std::memory_order_relaxed); }
std::int64_t live_bytes() { return live.load(std::memory_order_relaxed); }
}  // namespace bench::heap

extern "C" {
void* malloc(std::size_t n) noexcept { return note(__libc_malloc(n)); }
void* calloc(std::size_t n, std::size_t s) noexcept { return note(__libc_calloc(n, s)); }
void free(void* p) noexcept {
  forget(p);
  __libc_free(p);
}
void* realloc(void* p, std::size_t n) noexcept {
  forget(p);
  void* q = __libc_realloc(p, n);
  if (q == nullptr && n != 0 && p != nullptr) {  // failed: p still stands
    live.fetch_add(static_cast<std::int64_t>(malloc_usable_size(p)), std::memory_order_relaxed);
    return nullptr;
  }
  return note(q);
}
void* memalign(std::size_t a, std::size_t n) noexcept { return note(__libc_memalign(a, n)); }
void* aligned_alloc(std::size_t a, std::size_t n) noexcept { return note(__libc_memalign(a, n)); }
int posix_memalign(void** out, std::size_t a, std::size_t n) noexcept {
  void* p = note(__libc_memalign(a, n));
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}
}
