#pragma once

// Heap allocations counted both ways they happen: every global operator new
// (counting_new.hpp), and Eigen's own, which call std::malloc directly:
// Eigen is compiled with EIGEN_RUNTIME_NO_MALLOC and an eigen_assert that
// counts the "heap allocation is forbidden" assertion instead of aborting.
// Include this first in a test file, before any header that includes Eigen
// (Eigen reads eigen_assert once), and in every file of that executable:
// its inline functions must be compiled one way throughout.

#include <cstddef>

namespace counting {
void eigen_assert_failed(const char* condition, const char* file, int line);
}  // namespace counting

#define EIGEN_RUNTIME_NO_MALLOC
#define eigen_assert(x)                        \
  (static_cast<bool>(x) ? static_cast<void>(0) \
                        : ::counting::eigen_assert_failed(#x, __FILE__, __LINE__))

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <Eigen/Core>

#include "counting_new.hpp"

namespace counting {

inline std::size_t eigen_mallocs = 0;

inline void eigen_assert_failed(const char* condition, const char* file, int line) {
  if (std::strstr(condition, "heap allocation is forbidden") != nullptr) {
    ++eigen_mallocs;  // Eigen goes on and allocates
    return;
  }
  std::fprintf(stderr, "%s:%d: Eigen assertion failed: %s\n", file, line, condition);
  std::abort();
}

// Heap allocations by operator new and by Eigen while f runs. Nothing that
// allocates (Catch2's assertions, strings) may run inside f.
template <class F>
std::size_t allocations_during(F&& f) {
  news = 0;
  eigen_mallocs = 0;
  Eigen::internal::set_is_malloc_allowed(false);
  f();
  Eigen::internal::set_is_malloc_allowed(true);
  return news + eigen_mallocs;
}

}  // namespace counting
