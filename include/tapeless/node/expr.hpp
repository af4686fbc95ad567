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

// A node's operands: one base per operand, read with get<J>. A plain
// aggregate, not a std::tuple: a gradient expression (tl::grad) makes
// thousands of distinct node types, and std::tuple's constrained
// constructors cost g++ a constant evaluation per type and operand, which
// made a Hessian-vector product take minutes and gigabytes to compile.
template <std::size_t J, class T>
struct operand_slot {
  T node;
};
template <class Indices, class... C>
struct operand_list;
template <std::size_t... J, class... C>
struct operand_list<std::index_sequence<J...>, C...> : operand_slot<J, C>... {};

template <std::size_t J, class T>
constexpr const T& get(const operand_slot<J, T>& slot) {
  return slot.node;
}

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
  static constexpr std::size_t arity = sizeof...(Children);

  [[no_unique_address]] Op op;
  operand_list<std::index_sequence_for<Children...>, Children...> children;
};

// The type of operand J of a node.
template <std::size_t J, class Node>
using operand_t = std::remove_cvref_t<decltype(get<J>(std::declval<const Node&>().children))>;

// f(operands...) of a node.
template <class F, class Op, class... C>
constexpr decltype(auto) apply_to_operands(F&& f, const expr<Op, C...>& n) {
  return [&]<std::size_t... J>(std::index_sequence<J...>)->decltype(auto) {
    return std::forward<F>(f)(get<J>(n.children)...);
  }
  (std::index_sequence_for<C...>{});
}

template <class T>
inline constexpr bool is_expr_v = false;
template <class Op, class... C>
inline constexpr bool is_expr_v<expr<Op, C...>> = true;

// A node's op, for lists of culprits: the leaf itself for a leaf.
template <class N>
struct op_of {
  using type = N;
};
template <class Op, class... C>
struct op_of<expr<Op, C...>> {
  using type = Op;
};

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
    return expr<Op, node_t<C>...>{op, {{as_node(std::forward<C>(children))}...}};
}

}  // namespace tapeless
