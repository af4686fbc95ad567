#pragma once

#include <concepts>
#include <cstddef>
#include <tuple>
#include <type_traits>

#include <tapeless/kernels/storage.hpp>

namespace tapeless {

// Every node of a graph: a leaf (parameter, input) or an `expr` below.
// A node type states its scalar and static shape; `rows` may be `dynamic`
// (the batch), `cols` never is.
template <class T>
concept Expression = requires {
  typename std::remove_cvref_t<T>::tapeless_node;
  typename std::remove_cvref_t<T>::scalar;
  { std::remove_cvref_t<T>::rows } -> std::convertible_to<int>;
  { std::remove_cvref_t<T>::cols } -> std::convertible_to<int>;
};

// The one interior node kind: an operation applied to its operands. It holds
// structure only; the maths of `Op` lives in ops/, the loops in schedule/.
// `Op` is usually empty; an op that carries a run-time value (a scale factor)
// makes its node "impure", see graph/dag.hpp.
template <class Op, Expression... Children>
struct expr {
  using tapeless_node = void;
  using op_type = Op;
  using scalar = typename std::tuple_element_t<0, std::tuple<Children...>>::scalar;
  using shape = typename Op::shape_rule::template of<Children...>;
  static constexpr int rows = shape::rows;
  static constexpr int cols = shape::cols;

  [[no_unique_address]] Op op;
  std::tuple<Children...> children;
};

template <class T>
inline constexpr bool is_expr_v = false;
template <class Op, class... C>
inline constexpr bool is_expr_v<expr<Op, C...>> = true;

// Builds a node from operands given by value or reference.
template <class Op, class... C>
constexpr expr<Op, std::remove_cvref_t<C>...> make_expr(Op op, C&&... children) {
  return {op, {std::forward<C>(children)...}};
}

}  // namespace tapeless
