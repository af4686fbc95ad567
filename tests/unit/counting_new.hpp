#pragma once

// Every replaceable global operator new and delete, counting the calls and
// the bytes asked for: for the tests that check what some code allocates.
// The operators are defined in counting_new.cpp, linked into the test
// executables that include this header (tests/unit/CMakeLists.txt). Every
// variant is replaced, so that none of them comes from the standard library
// (or a sanitizer's runtime) and escapes the count, and so that ASan never
// sees a delete that does not match its new.

#include <cstddef>

namespace counting {

// Plain counters: the tests are single-threaded, and an atomic would add
// nothing but noise to the replaced operators.
inline std::size_t news = 0;
inline std::size_t bytes = 0;

// The bytes asked of operator new while f runs.
template <class F>
std::size_t bytes_during(F&& f) {
  bytes = 0;
  f();
  return bytes;
}

}  // namespace counting
