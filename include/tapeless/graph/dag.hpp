#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

#include <tapeless/checks.hpp>
#include <tapeless/detail/meta.hpp>
#include <tapeless/node/expr.hpp>
#include <tapeless/node/input.hpp>
#include <tapeless/node/parameter.hpp>
#include <tapeless/node/poisoned.hpp>

// From an expression type to its DAG: the distinct nodes in topological
// order (operands before their users), each with the positions of its
// operands. This is where `(y - t) * (y - t)` becomes one `y - t` node used
// twice, and where a layer applied twice shares its parameters.
//
// Identity. A leaf is identified by what it reads: a parameter by its `param`
// id, an input by its type. An interior node whose subtree holds no run-time
// value (every op but `scale`) computes the same thing wherever its type
// appears, so its type is its identity. A node that holds a run-time value
// is identified by its position (its path from the root), so that `2 * y`
// and `3 * y` are never merged. One exception: an op that says
// `one_node_per_type` (dropout) carries a run-time value that must be read
// once however often the expression uses the node (a random mask, drawn once
// per run); its node, and those above it that hold no other run-time value,
// are identified by their types, and its run-time value is read from its
// first appearance. (Below a node identified by position, `dropout(2 * y)`,
// it is identified by position too.)
namespace tapeless::graph {

using meta::at_t;
using meta::index_of;
using meta::keep_if;
using meta::list;
using meta::npos;

template <std::size_t... I>
using path = std::index_sequence<I...>;

// The identity of a node that carries a run-time value.
template <class Path>
struct at_path {};

template <class N>
inline constexpr bool is_pure_v = true;
template <class Op, class... C>
inline constexpr bool is_pure_v<expr<Op, C...>> = std::is_empty_v<Op> && (is_pure_v<C> && ...);

template <class Op>
constexpr bool one_node_per_type() {
  if constexpr (requires { Op::one_node_per_type; })
    return Op::one_node_per_type;
  else
    return false;
}

// Whether a node's type is its identity: when its op is empty or asks for
// it, and so are all of its operands' (so a node so identified has only
// such nodes below it, as tl::grad's record() relies on). A pure node is.
template <class N>
inline constexpr bool keyed_by_type_v = true;
template <class Op, class... C>
inline constexpr bool keyed_by_type_v<expr<Op, C...>> = (std::is_empty_v<Op> ||
                                                         one_node_per_type<Op>()) &&
                                                        (keyed_by_type_v<C> && ...);

template <class Leaf>
struct leaf_key {
  using type = Leaf;
};
template <class Id, class S, int R, int C>
struct leaf_key<parameter_ref<Id, S, R, C>> {
  using type = Id;
};

template <class N>
using leaf_key_t = typename leaf_key<N>::type;

// The identity of a node at a path: see the top of this file.
template <class N, class Path>
struct key_of {
  using type = std::conditional_t<keyed_by_type_v<N>, N, at_path<Path>>;
};
template <class N, class Path>
requires(!is_expr_v<N>) struct key_of<N, Path> : leaf_key<N> {
};

template <class N, class Path>
using key_t = typename key_of<N, Path>::type;

// One appearance of a node in the tree: its identity, its type, its path if
// it carries a run-time value (else void: nothing to read), and its
// operands' identities.
template <class Key, class Node, class Where, class... ChildKeys>
struct occurrence {
  using key = Key;
  using node = Node;
  using where = Where;
  static constexpr std::size_t arity = sizeof...(ChildKeys);
};

// The distinct appearances in post-order (operands first), each once: an
// operand's list is united with the lists before it (meta::unite), so a
// subtree used many times, as forward values are in a gradient expression
// (tl::grad), costs its distinct nodes, not its copies. A pure subtree is
// flattened once per type whatever its position; only nodes that carry a
// run-time value (few, near the root) are flattened with their path.
template <class N>
struct flatten_pure {
  using type = list<occurrence<leaf_key_t<N>, N, void>>;
};
template <class Op, class... C>
struct flatten_pure<expr<Op, C...>> {
  using type =
      meta::unite_t<typename flatten_pure<C>::type...,
                    list<occurrence<expr<Op, C...>, expr<Op, C...>, void, key_t<C, path<>>...>>>;
};

template <class N, class Path>
struct flatten : flatten_pure<N> {};
template <class Op, class... C, std::size_t... P>
requires(!is_pure_v<expr<Op, C...>>) struct flatten<expr<Op, C...>, path<P...>> {
  template <std::size_t... I>
  static auto all(std::index_sequence<I...>) {
    using self = occurrence<key_t<expr<Op, C...>, path<P...>>, expr<Op, C...>, path<P...>,
                            key_t<C, path<P..., I>>...>;
    return meta::unite_t<typename flatten<C, path<P..., I>>::type..., list<self>>{};
  }
  using type = decltype(all(std::index_sequence_for<C...>{}));
};

// What the analysis and the schedule need to know of one distinct node.
template <std::size_t MaxArity>
struct node_info {
  std::size_t arity = 0;
  std::array<std::size_t, MaxArity> child{};
  bool blocks = false;                      // no gradient flows to any operand (stop_gradient)
  std::array<bool, MaxArity> cut{};         // no gradient flows to this operand
  std::array<bool, MaxArity> shape_only{};  // only this operand's shape is read
};

template <class Op>
constexpr bool blocks_gradient() {
  if constexpr (requires { Op::blocks_gradient; })
    return Op::blocks_gradient;
  else
    return false;
}

// Whether operand J of an op receives gradient: an op whose result does not
// vary with an operand's value (broadcast_rows' `like`, an Embedding's ids,
// relu's derivative step) says so with `differentiable(j)`, and the analysis
// cuts that edge as stop_gradient does.
template <class Op>
constexpr bool differentiable_operand(std::size_t j) {
  if constexpr (blocks_gradient<Op>())
    return false;
  else if constexpr (requires { Op::differentiable(j); })
    return Op::differentiable(j);
  else
    return true;
}

// Whether only operand J's shape is read (`shape_only(j)`: broadcast_rows'
// `like`), not its value: then the result does not depend on it at all (no
// gradient, and the diagnostics say "not used" rather than "cut").
template <class Op>
constexpr bool shape_only_operand(std::size_t j) {
  if constexpr (requires { Op::shape_only(j); })
    return Op::shape_only(j);
  else
    return false;
}

// The distinct nodes, in topological order (each first appearance).
template <class Distinct>
struct distinct_nodes;
template <class... D>
struct distinct_nodes<list<D...>> {
  static constexpr std::size_t size = sizeof...(D);
  using nodes = list<D...>;

  // Position of a node identity among the distinct nodes, or npos.
  template <class Key>
  static constexpr std::size_t index_of_key = index_of<Key, typename D::key...>();

  static constexpr std::size_t max_arity = std::max({std::size_t{1}, D::arity...});

  template <class O>
  struct operands;
  template <class K, class N, class W, class... CK>
  struct operands<occurrence<K, N, W, CK...>> {
    static constexpr node_info<max_arity> info() {
      node_info<max_arity> out;
      out.arity = sizeof...(CK);
      std::size_t j = 0;
      ((out.child[j++] = index_of_key<CK>), ...);
      if constexpr (is_expr_v<N>) {
        out.blocks = blocks_gradient<typename N::op_type>();
        // A shape-only operand takes no gradient, whatever the op says.
        for (std::size_t i = 0; i < out.arity; ++i) {
          out.shape_only[i] = shape_only_operand<typename N::op_type>(i);
          out.cut[i] = !differentiable_operand<typename N::op_type>(i) || out.shape_only[i];
        }
      }
      return out;
    }
  };

  static constexpr std::array<node_info<max_arity>, size> infos{operands<D>::info()...};
};

// For each appearance, the position of the first appearance of its identity.
template <class... Occ>
inline constexpr std::array<std::size_t, sizeof...(Occ)> first_of_key = {
    index_of<typename Occ::key, typename Occ::key...>()...};

template <class Appearances>
struct dag_of;
template <class... Occ>
struct dag_of<list<Occ...>> {
  template <std::size_t... I>
  static auto firsts(std::index_sequence<I...>) {
    return meta::cat_t<keep_if<first_of_key<Occ...>[I] == I, Occ>...>{};
  }
  using type = distinct_nodes<decltype(firsts(std::index_sequence_for<Occ...>{}))>;
};

// The appearances whose identity is that of an earlier appearance of another
// type, as check::clash<earlier, later>: parameters of two model types that
// share a tag (only a parameter's identity is not its type).
template <class Appearances>
struct clashes_in;
template <class... Occ>
struct clashes_in<list<Occ...>> {
  template <std::size_t I>
  using first = typename at_t<list<Occ...>, first_of_key<Occ...>[I]>::node;
  template <std::size_t... I>
  static auto find(std::index_sequence<I...>) {
    return meta::cat_t<keep_if<!TAPELESS_IS_SAME(typename Occ::node, first<I>),
                               check::clash<first<I>, typename Occ::node>>...>{};
  }
  using type = decltype(find(std::index_sequence_for<Occ...>{}));
};

// The DAG of an expression type (cv-qualifiers and references ignored, as
// decltype of a `const auto` loss has them): `size` distinct nodes,
// `node<K>` the K-th (an occurrence), `infos[K]` its operands,
// `index_of_key<Key>`.
template <class Expr>
using appearances_t = typename flatten<std::remove_cvref_t<Expr>, path<>>::type;

template <class Expr>
struct dag : dag_of<appearances_t<Expr>>::type {
  template <std::size_t K>
  using node = at_t<typename dag::nodes, K>;
};

// Leaves as appearances, to look for clashes among them and a DAG's nodes.
template <class... Leaves>
using leaf_appearances = list<occurrence<leaf_key_t<Leaves>, Leaves, void>...>;

// The run-time object at a path inside an expression.
template <class Node>
constexpr const Node& at(const Node& n, path<>) {
  return n;
}
template <class Node, std::size_t P0, std::size_t... P>
constexpr const auto& at(const Node& n, path<P0, P...>) {
  return at(tapeless::get<P0>(n.children), path<P...>{});
}

}  // namespace tapeless::graph
