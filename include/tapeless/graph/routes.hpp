#pragma once

#include <array>
#include <cstddef>

#include <tapeless/graph/reachability.hpp>

// Why a requested leaf is, or is not, reached, read off the plans of
// reachability.hpp (no second traversal): the route its gradient takes to
// the root, or the nodes that cut it off (reachability.hpp's cutters). For
// tl::explain and tl::to_dot (inspect/), which turn node indices into names.
namespace tapeless::graph {

// The nodes from leaf K's first user up to the root along the edges that
// first reach each adjoint (those that assign it): every node the plan
// marks needed, but the root, has exactly one, and it leads to a needed
// user, so the chain ends at the root. Empty if K is not needed.
template <std::size_t N, std::size_t A>
constexpr node_set<N> route_to_root(const std::array<node_info<A>, N>& nodes, const plan<N, A>& p,
                                    std::size_t k) {
  node_set<N> out;
  if (!p.needed[k]) return out;
  while (k != N - 1) {
    std::size_t next = k;
    for (std::size_t u = k + 1; next == k && u < N; ++u)
      for (std::size_t j = 0; j < nodes[u].arity; ++j)
        if (nodes[u].child[j] == k && (p.mode[u][j] == contribution::assign ||
                                       p.mode[u][j] == contribution::zero_then_accumulate))
          next = u;
    if (next == k) break;  // unreachable for a plan of make_plan's
    k = next;
    out.add(k);
  }
  return out;
}

// cutters for a leaf of a DAG, by identity (a leaf the DAG does not hold
// has none).
template <class Dag, class Key>
constexpr node_set<Dag::size> cutters_of() {
  if constexpr (Dag::template index_of_key<Key> == npos)
    return {};
  else
    return cutters(Dag::infos, plan_of<Dag, Key>);
}

}  // namespace tapeless::graph
