#pragma once

#include <boost/hana/filter.hpp>
#include <boost/hana/flatten.hpp>
#include <boost/hana/transform.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>
#include <boost/hana/unpack.hpp>

#include <array>
#include <string>

#include <tapeless/checks.hpp>
#include <tapeless/graph/dag.hpp>
#include <tapeless/graph/reachability.hpp>
#include <tapeless/graph/request.hpp>
#include <tapeless/model.hpp>
#include <tapeless/node/feed.hpp>
#include <tapeless/node/identity.hpp>
#include <tapeless/node/input.hpp>
#include <tapeless/node/parameter.hpp>
#include <tapeless/node/poisoned.hpp>
#include <tapeless/schedule/program.hpp>

// The entry points: tl::gradient (a loss and what to differentiate it with
// respect to) and tl::evaluate (any expression, no gradient). Both check the
// request, then compile it into a schedule::program; tl::checked makes a
// program that also checks its numbers.
namespace tapeless {

namespace hana = boost::hana;

// Opt-in, as the first argument of tl::gradient: requested parameters the
// loss does not depend on get zero gradients instead of a compile error
// (for generic code that requests whole models).
struct unconnected_as_zero_t {
  explicit unconnected_as_zero_t() = default;
};
inline constexpr unconnected_as_zero_t unconnected_as_zero{};

namespace detail {

// The leaves a gradient argument stands for, as a hana tuple of types; an
// empty tuple and `false` for anything that cannot be differentiated.
template <class T>
struct wrt_leaves {
  static constexpr bool valid = false;
  using type = hana::tuple<>;
};
template <class Id, class S, int R, int C>
struct wrt_leaves<parameter<Id, S, R, C>> {
  static constexpr bool valid = true;
  using type = hana::tuple<hana::type<parameter_ref<Id, S, R, C>>>;
};
template <class Id, class S, int R, int C>
struct wrt_leaves<parameter_ref<Id, S, R, C>> : wrt_leaves<parameter<Id, S, R, C>> {};
template <class Tag, class S, int F, int B>
struct wrt_leaves<input_leaf<Tag, S, F, B, true>> {
  static constexpr bool valid = true;
  using type = hana::tuple<hana::type<input_leaf<Tag, S, F, B, true>>>;
};
// A layer stands for its parameters, in its order.
template <class P>
using ref_of = parameter_ref<typename P::id, typename P::scalar, P::rows, P::cols>;
template <class Parameters>
struct parameter_refs;
template <class... P>
struct parameter_refs<std::tuple<P&...>> {
  using type = hana::tuple<hana::type<ref_of<P>>...>;
};
template <Layer L>
struct wrt_leaves<L> {
  static constexpr bool valid = true;
  using type = typename parameter_refs<parameters_t<L>>::type;
};
// A model stands for its trainable layers' parameters, as Keras'
// trainable_variables; a model with no trainable layer stands for all of
// them, so that the request fails with the "frozen" message.
template <class Tag, class S, class... L>
struct wrt_leaves<model<Tag, S, L...>> {
  static constexpr bool any_trainable = (L::trainable || ...);
  template <class Declaration>
  static constexpr bool requests_layer = Declaration::trainable || !any_trainable;
  template <std::size_t... I>
  static auto all(std::index_sequence<I...>) {
    return hana::flatten(hana::make_tuple(
        std::conditional_t<
            requests_layer<L>,
            typename wrt_leaves<std::remove_cvref_t<
                decltype(std::declval<model<Tag, S, L...>&>().template layer<I>())>>::type,
            hana::tuple<>>{}...));
  }
  static constexpr bool valid = true;
  using type = decltype(all(std::index_sequence_for<L...>{}));
};

// A leaf's identity (a parameter's `param` id, a variable's own type).
template <class Leaf>
using id_of = typename graph::leaf_key<Leaf>::type;

// The request: every argument's leaves, each once, in argument order.
template <class... Leaves>
struct unique_request {
  template <std::size_t I, class L>
  static auto keep() {
    if constexpr (meta::index_of<id_of<L>, id_of<Leaves>...>() == I)
      return hana::tuple_t<L>;
    else
      return hana::tuple<>{};
  }
  template <std::size_t... I>
  static auto pick(std::index_sequence<I...>) {
    return hana::flatten(hana::make_tuple(keep<I, Leaves>()...));
  }
  using type = typename decltype(hana::unpack(pick(std::index_sequence_for<Leaves...>{}),
                                              hana::template_<request>))::type;
};

// Every argument's leaves in argument order, duplicates included.
template <class... Wrt>
using all_leaves = decltype(hana::flatten(hana::make_tuple(typename wrt_leaves<Wrt>::type{}...)));

template <class... Wrt>
using request_of = typename decltype(hana::unpack(all_leaves<Wrt...>{},
                                                  hana::template_<unique_request>))::type::type;

// Calls f(p) for every parameter object a gradient argument stands for, in
// the order of wrt_leaves: what the program compares with the objects the
// loss was built from.
template <class Arg, class F>
void for_each_requested(const Arg&, F&) {}  // variables and non-arguments
template <class Id, class S, int R, int C, class F>
void for_each_requested(const parameter<Id, S, R, C>& p, F& f) {
  f(p);
}
template <class Id, class S, int R, int C, class F>
void for_each_requested(const parameter_ref<Id, S, R, C>& p, F& f) {
  f(*p.target);
}
template <Layer L, class F>
void for_each_requested(const L& l, F& f) {
  for_each_parameter_of(l, f);
}
template <class Tag, class S, class... L, class F>
void for_each_requested(const model<Tag, S, L...>& m, F& f) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          if constexpr (wrt_leaves<model<Tag, S, L...>>::template requests_layer<L>)
            for_each_requested(m.template layer<I>(), f);
        }(),
        ...);
  }
  (std::index_sequence_for<L...>{});
}

// The address of each requested leaf's object (null for variables); two
// objects of one type named in one request are an identity_error.
template <class... L, class... Wrt>
std::array<const void*, sizeof...(L)> requested_objects(request<L...>, const Wrt&... wrt) {
  std::array<const void*, sizeof...(L)> out{};
  auto record = [&](const auto& p) {
    using id = typename std::remove_cvref_t<decltype(p)>::id;
    const void*& slot = out[meta::index_of<id, id_of<L>...>()];
    if (slot != nullptr && slot != &p)
      throw_identity_error("gradient request", &std::remove_cvref_t<decltype(p)>::name,
                           "is requested from two objects of one model type");
    slot = &p;
  };
  (for_each_requested(wrt, record), ...);
  return out;
}

// The requested leaves with one fate (graph::dependency_of); the check for
// those a cut separates from the loss.
template <graph::dependency Fate, class Facts, class... L>
auto leaves_with() {
  return meta::cat_t<meta::keep_if<graph::dependency_of<Facts, L>() == Fate, L>...>{};
}
template <template <class...> class Check, class Leaves>
struct cut_check;
template <template <class...> class Check, class... L>
struct cut_check<Check, meta::list<L...>> {
  using type = Check<id_of<L>...>;
};

// Where a parameter sits in a model: layer, kind and shape. A parameter of
// another model in the same slot is the one a copy of the model shadows.
template <std::size_t Layer, class Kind, int R, int C>
struct slot {};
template <class Leaf>
struct slot_of;
template <class M, std::size_t I, class K, class S, int R, int C>
struct slot_of<parameter_ref<param<M, I, K>, S, R, C>> {
  using model = M;
  using type = slot<I, K, R, C>;
};

// A node of the loss's DAG as the search below looks it up: a parameter as
// its model and slot, any other node as itself (distinct, never looked up).
template <class Occurrence, class Node = typename Occurrence::node>
struct place_of {
  using type = Occurrence;
  using models = meta::list<>;
};
template <class O, class M, std::size_t I, class K, class S, int R, int C>
struct place_of<O, parameter_ref<param<M, I, K>, S, R, C>> {
  using type = meta::list<M, slot<I, K, R, C>>;
  using models = meta::list<M>;
};

// Whether model N of the loss has a parameter in the slot of each of U...
// that belongs to model M, and no other (namespace scope: see graph::uses_v).
template <class Places, std::size_t Held, class N, class M, class... U>
inline constexpr bool shadows =
    !TAPELESS_IS_SAME(N, M) &&
    Held == (std::size_t{TAPELESS_IS_SAME(typename slot_of<U>::model, M)} + ...) &&
    ((!TAPELESS_IS_SAME(typename slot_of<U>::model, M) ||
      std::is_base_of_v<meta::member<meta::list<N, typename slot_of<U>::type>>, Places>)&&...);

template <class Places, std::size_t Held, class N, class Models, class... U>
struct shadows_any;
template <class Places, std::size_t Held, class N, class... M, class... U>
struct shadows_any<Places, Held, N, meta::list<M...>, U...> {
  static constexpr bool value = (shadows<Places, Held, N, M, U...> || ...);
};

// How many parameters of model N the loss reads.
template <class N, class... D>
inline constexpr std::size_t held_by =
    (std::size_t{TAPELESS_IS_SAME(typename place_of<D>::models, meta::list<N>)} + ... + 0);

// The models of the loss that an unused requested model most likely stands
// for: the loss reads exactly as many of their parameters as it leaves
// unused of the requested model, in the same slots (as with a copy made by
// copy_values_from), and at least two of them, as one shape (a bias) says
// too little. Searched only when a request fails, as did_you_mean<tag...>.
template <class Nodes, class Unused>
struct twins {
  using type = did_you_mean<>;
};
template <class... D, class U0, class U1, class... U>
struct twins<meta::list<D...>, meta::list<U0, U1, U...>> {
  using places = meta::member_set<typename place_of<D>::type...>;
  using models = meta::unite_t<meta::list<>, typename place_of<D>::models...>;
  using unused_models = meta::unite_t<meta::list<typename slot_of<U0>::model>,
                                      meta::list<typename slot_of<U1>::model>,
                                      meta::list<typename slot_of<U>::model>...>;
  template <class Models>
  struct among;
  template <class... N>
  struct among<meta::list<N...>> {
    using type = typename meta::apply<
        did_you_mean,
        meta::cat_t<meta::keep_if<
            shadows_any<places, held_by<N, D...>, N, unused_models, U0, U1, U...>::value, N>...>>::
        type;
  };
  using type = typename among<models>::type;
};

// The check for the leaves the loss does not read: with the models it most
// likely meant, if any.
template <class Suggestion, class... Ids>
struct not_used_check_with {
  using type = check::loss_uses_parameters_not_a_twin<Suggestion, Ids...>;
};
template <class... Ids>
struct not_used_check_with<did_you_mean<>, Ids...> {
  using type = check::loss_uses_parameters<Ids...>;
};
template <class Loss, class Leaves>
struct not_used_check {
  using type = check::loss_uses_parameters<>;
};
template <class Loss, class... L>
struct not_used_check<Loss, meta::list<L...>> {
  using parameters = meta::cat_t<meta::keep_if<is_parameter_ref_v<L>, L>...>;
  using type = typename not_used_check_with<
      typename twins<typename graph::dag<Loss>::nodes, parameters>::type, id_of<L>...>::type;
};

// The requested parameters that are frozen, as the check that reports them.
template <class Request>
struct frozen_in;
template <class... L>
struct frozen_in<request<L...>> {
  using type =
      typename meta::apply<check::requested_parameters_are_trainable,
                           meta::cat_t<meta::keep_if<graph::is_frozen<L>(), id_of<L>>...>>::type;
};

template <class Loss, class Request>
struct connectivity;
template <class Loss, class... L>
struct connectivity<Loss, request<L...>> {
  using facts = graph::analysis<Loss, L...>;
  using not_used = typename not_used_check<
      Loss, decltype(leaves_with<graph::dependency::not_used, facts, L...>())>::type;
  using only_through_stop_gradient = typename cut_check<
      check::loss_uses_parameters_past_stop_gradient,
      decltype(leaves_with<graph::dependency::cut_by_stop_gradient, facts, L...>())>::type;
  using only_through_operands = typename cut_check<
      check::loss_uses_parameters_past_operands_without_gradient,
      decltype(leaves_with<graph::dependency::cut_by_operand, facts, L...>())>::type;
};

// Parameters of two model types with one tag, among the loss's nodes and the
// requested leaves, as the check that reports them.
template <class Loss, class Leaves = meta::list<>>
struct tag_clashes;
template <class Loss, class... L>
struct tag_clashes<Loss, meta::list<L...>> {
  using in_loss = typename graph::clashes_in<graph::appearances_t<Loss>>::type;
  using in_request = typename graph::clashes_in<
      meta::cat_t<typename graph::dag<Loss>::nodes, graph::leaf_appearances<L...>>>::type;
  using type =
      typename meta::apply<check::one_model_type_per_tag, meta::cat_t<in_loss, in_request>>::type;
};

// The checks every request passes before its connectivity is looked at: the
// loss is 1x1, every argument stands for leaves, and no tag names two model
// types. None runs on a loss that holds a poisoned operand: its error has
// been reported already.
template <class Loss, class... Wrt>
constexpr bool request_is_well_formed() {
  if constexpr (contains_poisoned_v<Loss>)
    return false;
  else
    return check::all(check::loss_is_scalar<shape<Loss::rows, Loss::cols>>::check(),
                      check::argument_is_differentiable<Wrt, wrt_leaves<Wrt>::valid>::check()...,
                      tag_clashes<Loss, meta::to_list<all_leaves<Wrt...>>>::type::check());
}

template <class Loss, class... Wrt>
using request_for = request_of<std::remove_cvref_t<Wrt>...>;

}  // namespace detail

// The gradient of a scalar loss with respect to parameters, layers, models
// and tl::variable inputs, in any mix, compiled into one forward and one
// reverse sweep. A request the loss does not depend on does not compile; the
// error names the parameters and says why.
//
//   auto step = tl::gradient(loss, encoder, head);
//   const auto& g = step(tl::feed(x, X), tl::feed(t, T));
//   g.loss();  g[encoder.layer<0>().weight];
//
// After a failed check the result is an inert program, so that the code
// around the call still compiles and the user sees that one error. The
// connectivity checks run here, not in a helper, to keep their diagnostic
// one instantiation shorter.
template <Expression Loss, class... Wrt>
auto gradient(const Loss& loss, const Wrt&... wrt) {
  using schedule::mode;
  using R = detail::request_for<Loss, Wrt...>;
  using C = detail::connectivity<Loss, R>;
  if constexpr (!std::is_same_v<node_t<Loss>, Loss>)  // a parameter: the node reading it
    return gradient(as_node(loss), wrt...);
  else if constexpr (!detail::request_is_well_formed<Loss, std::remove_cvref_t<Wrt>...>())
    return schedule::program<Loss, R, mode::inert>(loss);
  else if constexpr (!detail::frozen_in<R>::type::check())
    return schedule::program<Loss, R, mode::inert>(loss);
  else if constexpr (!check::all(C::not_used::check(), C::only_through_stop_gradient::check(),
                                 C::only_through_operands::check()))
    return schedule::program<Loss, R, mode::inert>(loss);
  else
    return schedule::program<Loss, R, mode::strict>(loss, detail::requested_objects(R{}, wrt...));
}

// The same, with zero gradients for requested leaves the loss does not
// depend on.
template <Expression Loss, class... Wrt>
auto gradient(unconnected_as_zero_t, const Loss& loss, const Wrt&... wrt) {
  using schedule::mode;
  using R = detail::request_for<Loss, Wrt...>;
  if constexpr (!std::is_same_v<node_t<Loss>, Loss>)
    return gradient(unconnected_as_zero, as_node(loss), wrt...);
  else if constexpr (!detail::request_is_well_formed<Loss, std::remove_cvref_t<Wrt>...>())
    return schedule::program<Loss, R, mode::inert>(loss);
  else if constexpr (!detail::frozen_in<R>::type::check())
    return schedule::program<Loss, R, mode::inert>(loss);
  else
    return schedule::program<Loss, R, mode::lenient>(loss, detail::requested_objects(R{}, wrt...));
}

// A program that computes an expression's value only (predictions, metrics).
template <Expression E>
auto evaluate(const E& e) {
  using schedule::mode;
  if constexpr (!std::is_same_v<node_t<E>, E>)
    return evaluate(as_node(e));
  else if constexpr (contains_poisoned_v<E>)
    return schedule::program<E, request<>, mode::inert>(e);
  else if constexpr (!detail::tag_clashes<E>::type::check())
    return schedule::program<E, request<>, mode::inert>(e);
  else
    return schedule::program<E, request<>, mode::strict>(e);
}

// The same program, checked: after each node of every run it verifies that
// the node's value (forward) and the gradients its pullback sends
// (backward) are finite, and throws numeric_error naming the first that is
// not. For finding where a NaN comes from; an unchecked program contains
// none of these checks.
//
//   auto step = tl::checked(tl::gradient(loss, encoder, head));
template <class Expr, class Request, schedule::mode Mode>
auto checked(const schedule::program<Expr, Request, Mode>& unchecked) {
  return schedule::numeric_checks::checked(unchecked);
}

}  // namespace tapeless
