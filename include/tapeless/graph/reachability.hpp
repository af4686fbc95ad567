#pragma once

#include <array>
#include <cstddef>

#include <tapeless/graph/dag.hpp>

// Which nodes a gradient request touches. Given the DAG and the requested
// leaves, a node *depends* on the request if a gradient-carrying path leads
// from a requested leaf to it, and is *needed* if it also lies on such a path
// from the root (the loss): exactly the nodes the reverse sweep visits.
// Everything else is skipped at compile time: asking for one model's
// parameters never computes another's.
namespace tapeless::graph {

// How one operand of one node receives that node's pullback. The reverse
// sweep visits users in a fixed order, so the first contribution to each
// adjoint is known statically and assigns; later ones accumulate. A node that
// uses the same operand twice (y * y) zeroes it first, because an op may
// write its operands' pullbacks in any order.
enum class contribution : unsigned char { none, assign, accumulate, zero_then_accumulate };

template <std::size_t N, std::size_t A>
struct plan {
  std::array<bool, N> depends{};
  std::array<bool, N> needed{};
  std::array<bool, N> read{};  // the root's value depends on this node's value
  std::array<std::array<contribution, A>, N> mode{};
};

// From `root`, the loss: the last node, or for a program of several losses
// (tl::gradients) one of them, whose users the sweep then never visits.
template <std::size_t N, std::size_t A>
constexpr plan<N, A> make_plan(const std::array<node_info<A>, N>& nodes,
                               const std::array<bool, N>& requested, std::size_t root = N - 1) {
  plan<N, A> p;
  for (std::size_t k = 0; k < N; ++k) {
    bool d = requested[k];
    for (std::size_t j = 0; j < nodes[k].arity; ++j)
      d = d || (!nodes[k].cut[j] && p.depends[nodes[k].child[j]]);
    p.depends[k] = d;
  }
  // Read: not only for its shape (broadcast_rows' `like`, the seed of a
  // gradient expression), differentiable or not (stop_gradient's operand,
  // an Embedding's ids).
  if (root >= N) return p;
  p.read[root] = true;
  for (std::size_t k = root + 1; k-- > 0;)
    for (std::size_t j = 0; p.read[k] && j < nodes[k].arity; ++j)
      if (!nodes[k].shape_only[j]) p.read[nodes[k].child[j]] = true;
  p.needed[root] = p.depends[root];
  std::array<bool, N> seen{};
  for (std::size_t k = root + 1; k-- > 0;) {
    if (!p.needed[k] || nodes[k].blocks) continue;
    for (std::size_t j = 0; j < nodes[k].arity; ++j) {
      const std::size_t c = nodes[k].child[j];
      if (nodes[k].cut[j] || !p.depends[c]) continue;
      p.needed[c] = true;
      if (seen[c]) {
        p.mode[k][j] = contribution::accumulate;
        continue;
      }
      bool repeated = false;
      for (std::size_t i = j + 1; i < nodes[k].arity; ++i)
        repeated = repeated || (nodes[k].child[i] == c && !nodes[k].cut[i]);
      p.mode[k][j] = repeated ? contribution::zero_then_accumulate : contribution::assign;
      seen[c] = true;
    }
  }
  return p;
}

// The plan of a DAG for requested node identities, computed once per
// request (a variable template is instantiated once; a call is evaluated
// again wherever it appears).
template <class Dag, std::size_t Root, class... Keys>
constexpr auto plan_for() {
  std::array<bool, Dag::size> requested{};
  (
      [&] {
        constexpr std::size_t k = Dag::template index_of_key<Keys>;
        if constexpr (k != npos) requested[k] = true;
      }(),
      ...);
  return make_plan(Dag::infos, requested, Root);
}

template <class Dag, std::size_t Root, class... Keys>
inline constexpr auto rooted_plan = plan_for<Dag, Root, Keys...>();
template <class Dag, class... Keys>
inline constexpr auto& plan_of = rooted_plan<Dag, Dag::size - 1, Keys...>;

// Everything a request needs to know about an expression: its DAG, its plan
// from node Root, and where each requested leaf stands.
template <class Expr, std::size_t Root, class... Requested>
struct rooted_analysis {
  using dag = graph::dag<Expr>;
  static constexpr std::size_t root = Root;
  static constexpr auto& plan = rooted_plan<dag, Root, key_t<Requested, path<>>...>;

  // Position of a leaf (parameter_ref or input type) among the distinct
  // nodes, or npos if the expression does not read it.
  template <class Leaf>
  static constexpr std::size_t index = dag::template index_of_key<typename leaf_key<Leaf>::type>;
  template <class Leaf>
  static constexpr bool uses = index<Leaf> != npos;
  // Whether the root's value depends on the leaf's value at all.
  template <class Leaf>
  static constexpr bool reads = uses<Leaf>&& plan.read[index<Leaf>];
  // Whether gradient flows from the leaf to the root.
  template <class Leaf>
  static constexpr bool connects = uses<Leaf>&& plan.needed[index<Leaf>];
};

// The analysis of a loss: from its root.
template <class Expr, class... Requested>
struct analysis : rooted_analysis<Expr, dag<Expr>::size - 1, Requested...> {};

// The same facts at namespace scope: naming a member variable template of a
// dependent type inside a pack expansion crashes g++ 12 (internal compiler
// error in coerce_template_parms).
template <class Facts, class Leaf>
inline constexpr bool uses_v = Facts::template uses<Leaf>;
template <class Facts, class Leaf>
inline constexpr bool reads_v = Facts::template reads<Leaf>;
template <class Facts, class Leaf>
inline constexpr bool connects_v = Facts::template connects<Leaf>;

// A requested parameter that is frozen (its layer is declared Frozen).
template <class Leaf>
constexpr bool is_frozen() {
  if constexpr (is_parameter_ref_v<Leaf>)
    return !Leaf::id::trainable;
  else
    return false;
}

// Distinct-node indices, `size` of them.
template <std::size_t N>
struct node_set {
  std::size_t size = 0;
  std::array<std::size_t, N> nodes{};
  constexpr void add(std::size_t k) { nodes[size++] = k; }
};

// Where a leaf that the root reads but does not depend on is cut off: the
// nodes whose value the root reads that give no gradient to an operand whose
// value they read and which depends on the leaf (stop_gradient, an
// Embedding's ids, class labels). A read leaf has at least one: below the
// lowest cut of a read path, the leaf reaches the operand uncut. `p` is the
// plan for that leaf alone.
template <std::size_t N, std::size_t A>
constexpr node_set<N> cutters(const std::array<node_info<A>, N>& nodes, const plan<N, A>& p) {
  node_set<N> out;
  for (std::size_t u = 0; u < N; ++u) {
    bool cuts = false;
    for (std::size_t j = 0; j < nodes[u].arity; ++j)
      cuts = cuts || (nodes[u].cut[j] && !nodes[u].shape_only[j] && p.depends[nodes[u].child[j]]);
    if (cuts && p.read[u]) out.add(u);
  }
  return out;
}

// Whether every node that cuts off a read, unconnected leaf is a
// stop_gradient.
template <std::size_t N, std::size_t A>
constexpr bool stop_gradient_only(const std::array<node_info<A>, N>& nodes,
                                  const node_set<N>& cuts) {
  for (std::size_t i = 0; i < cuts.size; ++i)
    if (!nodes[cuts.nodes[i]].blocks) return false;
  return true;
}

// What becomes of a requested leaf, in the order a request's checks look
// (gradient.hpp): frozen first, then not read by the loss at all, then cut
// off by stop_gradient alone, or by operands that take no gradient (with or
// without a stop_gradient elsewhere). The checks report the last four;
// tl::explain (inspect/explain.hpp) reports all five.
enum class dependency : unsigned char {
  connected,
  cut_by_stop_gradient,
  frozen,
  not_used,
  cut_by_operand
};

template <class Facts, class Leaf>
constexpr dependency dependency_of() {
  if constexpr (is_frozen<Leaf>())
    return dependency::frozen;
  else if constexpr (!reads_v<Facts, Leaf>)
    return dependency::not_used;
  else if constexpr (connects_v<Facts, Leaf>)
    return dependency::connected;
  else if constexpr (stop_gradient_only(
                         Facts::dag::infos,
                         cutters(Facts::dag::infos,
                                 rooted_plan<typename Facts::dag, Facts::root, leaf_key_t<Leaf>>)))
    return dependency::cut_by_stop_gradient;
  else
    return dependency::cut_by_operand;
}

}  // namespace tapeless::graph
