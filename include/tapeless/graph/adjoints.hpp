#pragma once

#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <tapeless/checks.hpp>
#include <tapeless/graph/dag.hpp>
#include <tapeless/graph/reachability.hpp>
#include <tapeless/node/poisoned.hpp>
#include <tapeless/ops/add.hpp>
#include <tapeless/ops/fill.hpp>

// The reverse sweep with expressions for values: the gradient of a loss
// built as another expression (tl::grad), from each op's vjp<J>(node,
// adjoint), its pullback written with ops. The result is an ordinary
// expression, so it can be evaluated, used in a loss, analysed and
// differentiated again.
//
// The sweep runs over the distinct nodes of the DAG (graph/dag.hpp), as the
// program's reverse sweep does: the adjoint of node K is the sum of the
// pullbacks of its users, each the user's vjp applied to the user's own
// adjoint, down from the root's (all ones). Only contributions the plan
// (graph/reachability.hpp) marks are built, so stop_gradient and cut operands
// are respected. Working per distinct node, not per appearance in the tree,
// keeps the number of instantiations, and the size of the result, to the
// DAG's: a gradient expression is full of copies of forward nodes, and
// differentiating it again per appearance multiplies them.
namespace tapeless::graph {

// No contribution reaches a node.
struct no_adjoint {};

template <class Sum, class Term>
constexpr auto accumulate(const Sum& sum, const Term& term) {
  if constexpr (std::is_same_v<Sum, no_adjoint>)
    return term;
  else
    return make_expr(ops::add{}, sum, term);
}

template <class Op, std::size_t J, class Node, class Adjoint>
concept has_vjp = requires(const Node& n, const Adjoint& g) {
  Op::template vjp<J>(n, g);
};

// One contribution to an adjoint: operand `slot` of node `user`.
struct use {
  std::size_t user = 0;
  std::size_t slot = 0;
};

template <class Loss, class... Leaves>
class adjoints {
  using facts = analysis<Loss, Leaves...>;
  using dag = typename facts::dag;
  static constexpr auto& plan = facts::plan;
  static constexpr std::size_t N = dag::size;

  template <std::size_t K>
  using node = typename dag::template node<K>::node;

  // Every contribution the plan marks, grouped by the node it reaches, each
  // group in the order of the program's reverse sweep: computed once per
  // sweep (per node, the search over all users was most of the compile time).
  static constexpr std::size_t total_uses = [] {
    std::size_t n = 0;
    for (std::size_t u = 0; u < N; ++u)
      for (std::size_t j = 0; j < dag::infos[u].arity; ++j)
        n += plan.mode[u][j] != contribution::none;
    return n;
  }();
  struct use_table {
    std::array<std::size_t, N + 1> first{};  // node K's uses: [first[K], first[K + 1])
    std::array<use, total_uses> uses{};
  };
  static constexpr use_table table = [] {
    use_table out;
    for (std::size_t u = 0; u < N; ++u)
      for (std::size_t j = 0; j < dag::infos[u].arity; ++j)
        if (plan.mode[u][j] != contribution::none) ++out.first[dag::infos[u].child[j] + 1];
    for (std::size_t k = 0; k < N; ++k) out.first[k + 1] += out.first[k];
    std::array<std::size_t, N + 1> next = out.first;
    for (std::size_t u = N; u-- > 0;)
      for (std::size_t j = 0; j < dag::infos[u].arity; ++j)
        if (plan.mode[u][j] != contribution::none)
          out.uses[next[dag::infos[u].child[j]]++] = {u, j};
    return out;
  }();

  // The object of each distinct node: its first appearance in the loss.
  std::array<const void*, N> objects_{};

  template <class Node, class Path>
  void record(const Node& n, Path) {
    const void*& object = objects_[dag::template index_of_key<key_t<Node, Path>>];
    if (object != nullptr) return;  // a pure node seen before: its subtree too
    object = &n;
    if constexpr (is_expr_v<Node>)
      [&]<std::size_t... J, std::size_t... P>(std::index_sequence<J...>, path<P...>) {
        (record(tapeless::get<J>(n.children),
                std::conditional_t<is_pure_v<Node>, path<>, path<P..., J>>{}),
         ...);
      }
    (std::make_index_sequence<Node::arity>{}, Path{});
  }

  template <std::size_t K>
  const node<K>& object() const {
    return *static_cast<const node<K>*>(objects_[K]);
  }

  template <std::size_t U, std::size_t J>
  auto pullback() const {
    return node<U>::op_type::template vjp<J>(object<U>(), adjoint<U>());
  }

  // Whether node K's pullback to operand J is needed and its op has no
  // vjp, probed with a stand-in adjoint of the node's shape.
  template <std::size_t K, std::size_t J>
  static constexpr bool lacks_rule() {
    if constexpr (!is_expr_v<node<K>>)
      return false;
    else if constexpr (plan.mode[K][J] == contribution::none)
      return false;
    else
      return !has_vjp<typename node<K>::op_type, J, node<K>,
                      poisoned<typename node<K>::scalar, node<K>::rows, node<K>::cols>>;
  }
  template <std::size_t K, std::size_t... J>
  static constexpr bool lacks_any_rule(std::index_sequence<J...>) {
    return (lacks_rule<K, J>() || ...);
  }
  template <std::size_t... K>
  static auto missing(std::index_sequence<K...>) {
    return meta::cat_t<meta::keep_if<lacks_any_rule<K>(std::make_index_sequence<dag::max_arity>{}),
                                     typename op_of<node<K>>::type>...>{};
  }

  template <std::size_t K, std::size_t... I>
  auto sum_of_uses(std::index_sequence<I...>) const {
    no_adjoint none;
    return add_up(
        none,
        pullback<table.uses[table.first[K] + I].user, table.uses[table.first[K] + I].slot>()...);
  }
  template <class Sum>
  static auto add_up(const Sum& sum) {
    return sum;
  }
  template <class Sum, class First, class... Rest>
  static auto add_up(const Sum& sum, const First& first, const Rest&... rest) {
    if constexpr (std::is_same_v<First, no_adjoint>)
      return add_up(sum, rest...);
    else
      return add_up(accumulate(sum, first), rest...);
  }

 public:
  // The ops without a derivative rule as an expression on the sweep's path,
  // as the check that reports them (before any expression is built).
  using rules = typename meta::apply<check::op_has_derivative_rule,
                                     decltype(missing(std::make_index_sequence<N>{}))>::type;

  explicit adjoints(const Loss& loss) { record(loss, path<>{}); }

  // The adjoint of distinct node K as an expression (no_adjoint if no
  // gradient reaches it).
  template <std::size_t K>
  auto adjoint() const {
    if constexpr (K == N - 1)
      return make_expr(ops::ones_like{}, object<K>());
    else
      return sum_of_uses<K>(std::make_index_sequence<table.first[K + 1] - table.first[K]>{});
  }

  // The gradient of each requested leaf, as an expression or no_adjoint.
  auto of_leaves() const {
    return std::tuple{[&] {
      constexpr std::size_t k = facts::template index<Leaves>;
      if constexpr (k == meta::npos || !facts::template connects<Leaves>)
        return no_adjoint{};
      else
        return adjoint<k>();
    }()...};
  }
};

}  // namespace tapeless::graph
