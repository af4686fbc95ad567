#pragma once

#include <concepts>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <tapeless/checks.hpp>
#include <tapeless/kernels/storage.hpp>
#include <tapeless/node/op.hpp>
#include <tapeless/node/poisoned.hpp>

namespace tapeless {

// What an expression is made of: every node of a graph (a leaf such as an
// input or a parameter reference, or an `expr` below), and objects that
// stand in an expression as a node that reads them (a model's parameter, so
// that `tl::sum(tl::square(layer.weight))` is an expression). It states its
// scalar and static shape; `rows` may be `dynamic` (the batch), `cols`
// never is.
template <class T>
concept Expression = requires {
  typename std::remove_cvref_t<T>::tapeless_node;
  typename std::remove_cvref_t<T>::scalar;
  { std::remove_cvref_t<T>::rows } -> std::convertible_to<int>;
  { std::remove_cvref_t<T>::cols } -> std::convertible_to<int>;
};

// The node an operand stands for in a graph: itself, or for an object kept
// outside the expression (a parameter, which the model owns), the node that
// reads it, `ref()`. Expressions hold nodes only, never such objects.
template <Expression T>
constexpr decltype(auto) as_node(T&& x) {
  if constexpr (requires { x.ref(); })
    return x.ref();
  else
    return std::forward<T>(x);
}
template <class T>
using node_t = std::remove_cvref_t<decltype(as_node(std::declval<T>()))>;

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

template <class Op, class... C>
inline constexpr bool contains_poisoned_v<expr<Op, C...>> = (contains_poisoned_v<C> || ...);

// Builds a node from operands given by value or reference. An op that does
// not meet Operation (node/op.hpp) is reported here, and a 1x1 stand-in of
// the first operand's scalar takes the node's place.
template <class Op, class... C>
constexpr auto make_expr(Op op, C&&... children) {
  if constexpr (!check::op_is_complete<Op, Operation<Op, node_t<C>...>>::check())
    return poisoned<typename std::tuple_element_t<0, std::tuple<node_t<C>...>>::scalar, 1, 1>{};
  else
    return expr<Op, node_t<C>...>{op, {as_node(std::forward<C>(children))...}};
}

}  // namespace tapeless
