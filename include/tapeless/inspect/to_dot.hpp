#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <tapeless/inspect/explain.hpp>

// A picture of a gradient program: the forward graph of a loss as Graphviz
// DOT, marked with what the program for a request does (the plan of
// graph/reachability.hpp, as tl::gradient would build it):
//
//   std::ofstream("grad.dot") << tl::to_dot(loss, a, c);   // dot -Tsvg grad.dot > grad.svg
//
// Nodes are the distinct nodes of the DAG, drawn from the inputs up to the
// loss, the parameters and layers of each model in a box named after it.
// Every node and edge has a `class` (kept in SVG output) that says what it
// is, and a look to match:
//   nodes  visited (the reverse sweep computes its adjoint: blue) or
//          skipped (white, grey text); requested (double border); frozen
//          (a parameter or layer declared Frozen: dashed, "(frozen)");
//          loss (the root: thick border); not-used (a requested leaf the
//          loss does not read, drawn apart, red border)
//   edges  operand to user: assign (the first contribution to the
//          operand's adjoint, "="), accumulate (a later one, "+="), cut
//          (stop_gradient, or an operand that takes no gradient: an
//          Embedding's ids, broadcast_rows' shape operand; red, dashed),
//          forward (no gradient travels it: grey)
namespace tapeless {

namespace detail {

inline std::string dot_quoted(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// One distinct node's line.
inline std::string dot_node(const std::string& id, const std::string& label, bool visited,
                            bool requested, bool frozen, bool loss) {
  std::string classes = visited ? "visited" : "skipped";
  std::string look = visited ? ", fillcolor=\"#cfe2ff\"" : ", fontcolor=gray40, color=gray60";
  if (requested) {
    classes += " requested";
    look += ", peripheries=2";
  }
  if (frozen) {
    classes += " frozen";
    look += ", style=\"rounded,filled,dashed\"";
  }
  if (loss) {
    classes += " loss";
    look += ", penwidth=2";
  }
  return id + " [label=" + dot_quoted(frozen ? label + " (frozen)" : label) +
         ", class=" + dot_quoted(classes) + look + "];\n";
}

inline std::string dot_edge(std::size_t from, std::size_t to, graph::contribution mode, bool cut) {
  using graph::contribution;
  std::string attributes;
  if (cut)
    attributes = "class=\"cut\", label=\"cut\", style=dashed, color=\"#c0392b\"";
  else if (mode == contribution::assign)
    attributes = "class=\"assign\", label=\"=\", color=\"#1f5fbf\"";
  else if (mode == contribution::accumulate)
    attributes = "class=\"accumulate\", label=\"+=\", color=\"#7b3fbf\"";
  else if (mode == contribution::zero_then_accumulate)
    attributes = "class=\"accumulate\", label=\"0, +=\", color=\"#7b3fbf\"";
  else
    attributes = "class=\"forward\", color=gray60";
  return "  n" + std::to_string(from) + " -> n" + std::to_string(to) + " [" + attributes + "];\n";
}

template <class Loss, class... L, std::size_t... K>
std::string dot_of(request<L...>, std::index_sequence<K...>) {
  using facts = graph::analysis<Loss, L...>;
  using dag = typename facts::dag;
  constexpr auto& plan = facts::plan;
  constexpr std::size_t n = dag::size;
  const auto labels = node_labels<dag>();
  const std::array<std::string, n> models{
      node_label<typename dag::template node<K>::node>::model()...};
  constexpr std::array<bool, n> frozen{node_label<typename dag::template node<K>::node>::frozen...};
  constexpr std::array<bool, n> requested = [] {
    std::array<bool, n> out{};
    ((facts::template index<L> != meta::npos ? void(out[facts::template index<L>] = true) : void()),
     ...);
    return out;
  }();

  // Node lines and their models: the DAG's nodes, then the requested
  // leaves the loss does not read (drawn apart, with no edges).
  std::vector<std::string> lines, owners(models.begin(), models.end());
  for (std::size_t k = 0; k < n; ++k)
    lines.push_back(dot_node("n" + std::to_string(k), labels[k], plan.needed[k], requested[k],
                             frozen[k], k == n - 1));
  (
      [&] {
        if constexpr (facts::template index<L> == meta::npos) {
          lines.push_back("r" + std::to_string(lines.size() - n) +
                          " [label=" + dot_quoted(node_label<L>::get() + " (not used)") +
                          ", class=\"requested not-used\", peripheries=2, color=\"#c0392b\"];\n");
          owners.push_back(node_label<L>::model());
        }
      }(),
      ...);

  std::string out =
      "digraph gradient {\n"
      "  rankdir=BT;\n"
      "  graph [fontname=Helvetica, fontsize=11];\n"
      "  node [shape=box, style=\"rounded,filled\", fillcolor=white, fontname=Helvetica, "
      "fontsize=11];\n"
      "  edge [fontname=Helvetica, fontsize=10];\n";
  // A box per model, in the order the graph first meets them.
  std::vector<std::string> seen;
  for (std::size_t k = 0; k < lines.size(); ++k) {
    if (owners[k].empty() || std::find(seen.begin(), seen.end(), owners[k]) != seen.end()) continue;
    seen.push_back(owners[k]);
    out += "  subgraph cluster_" + std::to_string(seen.size() - 1) +
           " {\n    label=" + dot_quoted(owners[k]) + ";\n    style=rounded;\n    color=gray50;\n";
    for (std::size_t i = k; i < lines.size(); ++i)
      if (owners[i] == owners[k]) out += "    " + lines[i];
    out += "  }\n";
  }
  for (std::size_t k = 0; k < lines.size(); ++k)
    if (owners[k].empty()) out += "  " + lines[k];
  for (std::size_t u = 0; u < n; ++u)
    for (std::size_t j = 0; j < dag::infos[u].arity; ++j)
      out += dot_edge(dag::infos[u].child[j], u, plan.mode[u][j],
                      dag::infos[u].cut[j] || dag::infos[u].blocks);
  return out + "}\n";
}

}  // namespace detail

// The DOT text of the loss's graph and what the program for the request
// tl::gradient(loss, wrt...) would do on it; the request need not compile
// (a copied model's parameters are drawn apart, as not used).
template <Expression Loss, class... Wrt>
std::string to_dot(const Loss& loss, const Wrt&... wrt) {
  if constexpr (!std::is_same_v<node_t<Loss>, Loss>)
    return to_dot(as_node(loss), wrt...);
  else if constexpr (!detail::request_is_well_formed<Loss, std::remove_cvref_t<Wrt>...>())
    return {};
  else
    return detail::dot_of<Loss>(detail::request_for<Loss, Wrt...>{},
                                std::make_index_sequence<graph::dag<Loss>::size>{});
}

}  // namespace tapeless
