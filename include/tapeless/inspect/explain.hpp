#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <tapeless/detail/meta.hpp>
#include <tapeless/detail/type_name.hpp>
#include <tapeless/gradient.hpp>
#include <tapeless/graph/reachability.hpp>
#include <tapeless/graph/request.hpp>
#include <tapeless/graph/routes.hpp>

// A dependency report: for each parameter or variable a gradient request
// names, whether the loss's gradient reaches it and why not, read from the
// analysis tl::gradient runs (graph/reachability.hpp), as a table for
// static_assert and as text for people.
//
//   auto why = tl::explain(loss, a, c);
//   static_assert(why.status(c.layer<0>().weight) == tl::dependency::not_used);
//   std::fputs(why.text().c_str(), stderr);
//   // model_a.layer0.W: connected: model_a.layer0 (Dense layer) -> square -> mean
//   // model_c.layer0.W: not used: the loss reads model_a, model_b
namespace tapeless {

// connected, cut_by_stop_gradient, cut_by_operand, frozen or not_used.
using graph::dependency;

constexpr std::string_view to_string(dependency d) {
  switch (d) {
    case dependency::connected:
      return "connected";
    case dependency::cut_by_stop_gradient:
      return "cut by stop_gradient";
    case dependency::cut_by_operand:
      return "cut by an operand without gradient";
    case dependency::frozen:
      return "frozen";
    case dependency::not_used:
      break;
  }
  return "not used";
}

namespace detail {

// A node's name in reports: a parameter's ("enc.layer0.W"), an input's tag,
// an op's name, prefixed by the layer when every operand but the first is a
// parameter of that one layer ("enc.layer0 (Dense layer)": the layer applied
// to its input; a layer with computed weights is its op alone). `model()`:
// the model a parameter or such a layer belongs to, or empty; `frozen`:
// whether that layer is declared Frozen.
template <class N>
struct node_label {
  static constexpr bool frozen = false;
  static std::string get() {
    if constexpr (requires { typename N::tag; })
      return std::string(type_name<typename N::tag>());
    else
      return std::string(type_name<N>());
  }
  static std::string model() { return {}; }
};
template <class Id>
struct layer_label {
  static constexpr bool frozen = !Id::trainable;
  static std::string model() { return std::string(type_name<typename Id::model>()); }
  static std::string layer() { return Id::layer_name(); }
};
template <class Id, class S, int R, int C>
struct node_label<parameter_ref<Id, S, R, C>> : layer_label<Id> {
  static std::string get() { return Id::name(); }
};
// The layer an op node applies, if its operands after the first are all
// parameters of one layer.
struct no_layer {
  static constexpr bool frozen = false;
  static std::string model() { return {}; }
};
template <class... P>
struct applied_layer : no_layer {};
template <class Id0, class S0, int R0, int C0, class... Id, class... S, int... R, int... C>
requires((TAPELESS_IS_SAME(typename Id::model, typename Id0::model) && ...) &&
         ((Id::layer == Id0::layer) &&
          ...)) struct applied_layer<parameter_ref<Id0, S0, R0, C0>, parameter_ref<Id, S, R, C>...>
    : layer_label<Id0> {
};
template <class Op, class X, class... P>
struct node_label<expr<Op, X, P...>> : applied_layer<P...> {
  static std::string get() {
    if constexpr (requires { applied_layer<P...>::layer(); })
      return applied_layer<P...>::layer() + " (" + std::string(Op::name) + ")";
    else
      return std::string(Op::name);
  }
};

// The label of each distinct node of a DAG, by index.
template <class Dag, std::size_t... K>
std::array<std::string, Dag::size> node_labels(std::index_sequence<K...>) {
  return {node_label<typename Dag::template node<K>::node>::get()...};
}
template <class Dag>
std::array<std::string, Dag::size> node_labels() {
  return node_labels<Dag>(std::make_index_sequence<Dag::size>{});
}

// The models whose parameters the root reads, in graph order, each once.
template <class Facts, std::size_t... K>
std::string models_read(std::index_sequence<K...>) {
  std::vector<std::string> models;
  auto add = [&]<class N>(std::type_identity<N>, std::size_t k) {
    if constexpr (is_parameter_ref_v<N>) {
      std::string model(type_name<typename N::id::model>());
      if (Facts::plan.read[k] && std::find(models.begin(), models.end(), model) == models.end())
        models.push_back(std::move(model));
    }
  };
  (add(std::type_identity<typename Facts::dag::template node<K>::node>{}, K), ...);
  std::string out;
  for (const auto& m : models) out += (out.empty() ? "" : ", ") + m;
  return out;
}

template <class Nodes, std::size_t N>
std::string joined(const Nodes& nodes, const std::array<std::string, N>& labels,
                   std::string_view between) {
  std::string out;
  for (std::size_t i = 0; i < nodes.size; ++i)
    out += (i > 0 ? std::string(between) : std::string()) + labels[nodes.nodes[i]];
  return out;
}

}  // namespace detail

// What tl::explain returns: for the leaves of a request (as tl::gradient
// resolves it: a model stands for its trainable layers), `table[i]` the
// dependency of the i-th, `status(p)` that of a parameter or variable by
// object, and text().
template <class Loss, class Request>
class explanation;
template <class Loss, class... L>
class explanation<Loss, request<L...>> {
  using facts = graph::analysis<Loss, L...>;
  using dag = typename facts::dag;

  // One line: "name: status: detail".
  template <class Leaf>
  static std::string line(const std::array<std::string, dag::size>& labels) {
    constexpr dependency d = graph::dependency_of<facts, Leaf>();
    std::string out = detail::node_label<Leaf>::get() + ": " + std::string(to_string(d)) + ": ";
    if constexpr (d == dependency::connected) {
      constexpr auto route =
          graph::route_to_root(dag::infos, facts::plan, facts::template index<Leaf>);
      out += detail::joined(route, labels, " -> ");
    } else if constexpr (d == dependency::cut_by_stop_gradient || d == dependency::cut_by_operand) {
      constexpr auto cuts = graph::cutters_of<dag, graph::leaf_key_t<Leaf>>();
      for (std::size_t i = 0; i < cuts.size; ++i) {
        const auto& info = dag::infos[cuts.nodes[i]];
        graph::node_set<dag::max_arity> operands;
        for (std::size_t j = 0; j < info.arity; ++j) operands.add(info.child[j]);
        out += (i > 0 ? ", " : "") + labels[cuts.nodes[i]] + "(" +
               detail::joined(operands, labels, ", ") + ")";
      }
    } else if constexpr (d == dependency::frozen) {
      out += Leaf::id::layer_name() + " is declared Frozen";
    } else {
      const std::string models = detail::models_read<facts>(std::make_index_sequence<dag::size>{});
      out += models.empty() ? "the loss reads no model's parameters" : "the loss reads " + models;
    }
    return out + "\n";
  }

 public:
  static constexpr std::size_t size = sizeof...(L);
  static constexpr std::array<dependency, size> table{graph::dependency_of<facts, L>()...};

  // The position of a parameter or variable in the request, or npos.
  template <class P>
  static constexpr std::size_t position =
      meta::index_of<graph::leaf_key_t<node_t<P>>, graph::leaf_key_t<L>...>();

  // The dependency of a requested parameter or variable.
  template <Expression P>
  requires(position<P> != meta::npos) static constexpr dependency status(const P&) {
    return table[position<P>];
  }

  // One line per leaf, in request order:
  //   "<name>: connected: <first user> -> ... -> <the loss's node>"
  //   "<name>: cut by stop_gradient: stop_gradient(<its operand>)"
  //   "<name>: cut by an operand without gradient: <op>(<its operands>)"
  //   "<name>: frozen: <layer> is declared Frozen"
  //   "<name>: not used: the loss reads <models>"
  std::string text() const {
    const auto labels = detail::node_labels<dag>();
    return (std::string() + ... + line<L>(labels));
  }
};

// The dependency report of tl::gradient(loss, wrt...)'s request, which need
// not compile: the same arguments, the same checks of the request's form
// (a 1x1 loss, arguments that stand for parameters or variables), none of
// its connectivity.
template <Expression Loss, class... Wrt>
constexpr auto explain(const Loss& loss, const Wrt&... wrt) {
  if constexpr (!std::is_same_v<node_t<Loss>, Loss>)
    return explain(as_node(loss), wrt...);
  else if constexpr (!detail::request_is_well_formed<Loss, std::remove_cvref_t<Wrt>...>())
    return explanation<Loss, request<>>{};
  else
    return explanation<Loss, detail::request_for<Loss, Wrt...>>{};
}

}  // namespace tapeless
