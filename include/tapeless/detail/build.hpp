#pragma once

#include <type_traits>

#include <tapeless/checks.hpp>
#include <tapeless/node/expr.hpp>
#include <tapeless/node/poisoned.hpp>

// What every binary builder does before it makes a node: check the operands
// where the user wrote them, and after a failed check stand a poisoned
// operand in, so the rest of the user's code still compiles (one error).
namespace tapeless::detail {

// (A check named in a condition is instantiated even where `||` would not
// evaluate it, hence the nesting: a check must not run after a failure.)
// `op` is the op's value: default-constructed, or carrying a run-time
// number (huber's delta).
template <class Op, Expression A, Expression B>
constexpr auto binary(Op op, const A& a, const B& b) {
  using SA = typename A::scalar;
  if constexpr (contains_poisoned_v<A> || contains_poisoned_v<B>)
    return make_expr(op, a, poisoned<SA, A::rows, A::cols>{});
  else if constexpr (!check::scalars_match<SA, typename B::scalar>::check())
    return make_expr(op, a, poisoned<SA, A::rows, A::cols>{});
  else
    return make_expr(op, a, b);
}
template <class Op, Expression A, Expression B>
constexpr auto binary(const A& a, const B& b) {
  return binary(Op{}, a, b);
}

template <class Op, Expression A, Expression B>
constexpr auto elementwise(Op op, const A& a, const B& b) {
  if constexpr (contains_poisoned_v<A> || contains_poisoned_v<B>)
    return binary(op, a, b);
  else if constexpr (!check::shapes_match<Op, shape<A::rows, A::cols>,
                                          shape<B::rows, B::cols>>::check())
    return make_expr(op, a, poisoned<typename A::scalar, A::rows, A::cols>{});
  else
    return binary(op, a, b);
}
template <class Op, Expression A, Expression B>
constexpr auto elementwise(const A& a, const B& b) {
  return elementwise(Op{}, a, b);
}

// A number used as a constant in an expression, as the expression's scalar.
template <class T>
concept Arithmetic = std::is_arithmetic_v<T>;

}  // namespace tapeless::detail
