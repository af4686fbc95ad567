#pragma once

namespace tapeless {

// The stand-in operand used after a static check has failed: it has the
// shape the failed expression should have had, reads as zeros and needs no
// feed, so that the rest of the user's code compiles and the failed check
// stays the only error. Never part of a graph that compiles.
template <class S, int R, int C>
struct poisoned {
  using tapeless_node = void;
  using scalar = S;
  static constexpr int rows = R;
  static constexpr int cols = C;
};

template <class T>
inline constexpr bool is_poisoned_v = false;
template <class S, int R, int C>
inline constexpr bool is_poisoned_v<poisoned<S, R, C>> = true;

// Whether an expression holds a poisoned operand: then an error has been
// reported already, and every later check on it stays silent (it would only
// report consequences: inputs no longer read, sizes that cannot match).
// (The case of an expr node, its operands', is in node/expr.hpp.)
template <class T>
inline constexpr bool contains_poisoned_v = is_poisoned_v<T>;

}  // namespace tapeless
