// The replaced global operators new and delete of counting_new.hpp.

#include "counting_new.hpp"

#include <cstdlib>
#include <new>

namespace counting {
namespace {

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

void* or_throw(void* p) {
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

}  // namespace
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
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
