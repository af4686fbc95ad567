#pragma once

// Every replaceable global operator new and delete, counting the calls and
// the bytes asked for: for the tests that check what some code allocates.
// Include it in one file of an executable (each unit test file is one).
// Every variant is replaced, so that none of them comes from the standard
// library (or a sanitizer's runtime) and escapes the count, and so that
// ASan never sees a delete that does not match its new.

#include <cstddef>
#include <cstdlib>
#include <new>

namespace counting {

// Plain counters: the tests are single-threaded, and an atomic would add
// nothing but noise to the replaced operators.
inline std::size_t news = 0;
inline std::size_t bytes = 0;

void* allocate(std::size_t size) {
  ++news;
  bytes += size;
  return std::malloc(size == 0 ? 1 : size);
}

void* allocate(std::size_t size, std::align_val_t alignment) {
  ++news;
  bytes += size;
  const auto a = static_cast<std::size_t>(alignment);
  // aligned_alloc wants a nonzero size that is a multiple of the alignment.
  const std::size_t rounded = size == 0 ? a : (size + a - 1) / a * a;
  return std::aligned_alloc(a, rounded);
}

// The replaced deletes call this, not std::free: once g++ 12 inlines a
// replaced delete into its caller, -Wmismatched-new-delete sees free()
// applied to memory from operator new and warns (a false positive: the
// replaced new returns malloc's memory). Out of line, free() is out of its
// sight.
[[gnu::noinline]] void release(void* p) noexcept { std::free(p); }

void* or_throw(void* p) {
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

// The bytes asked of operator new while f runs.
template <class F>
std::size_t bytes_during(F&& f) {
  bytes = 0;
  f();
  return bytes;
}

}  // namespace counting

void* operator new(std::size_t n) { return counting::or_throw(counting::allocate(n)); }
void* operator new[](std::size_t n) { return counting::or_throw(counting::allocate(n)); }
void* operator new(std::size_t n, std::align_val_t a) {
  return counting::or_throw(counting::allocate(n, a));
}
void* operator new[](std::size_t n, std::align_val_t a) {
  return counting::or_throw(counting::allocate(n, a));
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counting::allocate(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return counting::allocate(n);
}
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return counting::allocate(n, a);
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return counting::allocate(n, a);
}
void operator delete(void* p) noexcept { counting::release(p); }
void operator delete[](void* p) noexcept { counting::release(p); }
void operator delete(void* p, std::size_t) noexcept { counting::release(p); }
void operator delete[](void* p, std::size_t) noexcept { counting::release(p); }
void operator delete(void* p, std::align_val_t) noexcept { counting::release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { counting::release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { counting::release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { counting::release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { counting::release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { counting::release(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  counting::release(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  counting::release(p);
}
