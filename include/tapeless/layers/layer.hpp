#pragma once

#include <concepts>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <tapeless/checks.hpp>
#include <tapeless/node/expr.hpp>
#include <tapeless/node/parameter.hpp>
#include <tapeless/node/poisoned.hpp>

// The Layer extension point: what the rest of tapeless (models, requests,
// optimizers, initialisers, checkpoints) relies on, and nothing more. A new
// layer kind is a declaration and a layer type that meet the concepts here;
// no other header changes (docs/extending.md walks through one).
namespace tapeless {

// A probe tag, to instantiate a declaration's layer template in a concept.
struct layer_probe_tag;

// What is written in a model's type, `Dense<64, 32, ReLU>`:
//   in, out      the feature counts it takes and gives
//   trainable    false for Frozen<...>
//   unfrozen     the declaration without Frozen (values copy between them)
//   layer<Tag, Index, Scalar, Trainable>
//                the layer object a model with that tag stores at that index
template <class D>
concept LayerDeclaration = requires {
  { D::in } -> std::convertible_to<int>;
  { D::out } -> std::convertible_to<int>;
  { D::trainable } -> std::convertible_to<bool>;
  typename D::unfrozen;
  typename D::template layer<layer_probe_tag, 0, float, true>;
};

template <class T>
inline constexpr bool is_parameter_v = false;
template <class Id, class S, int R, int C>
inline constexpr bool is_parameter_v<parameter<Id, S, R, C>> = true;

template <class Tuple>
inline constexpr bool is_parameter_tuple_v = false;
template <class... P>
inline constexpr bool is_parameter_tuple_v<std::tuple<P&...>> =
    (is_parameter_v<std::remove_const_t<P>> && ...);

// The layer object, in three parts so that each unmet one is reported by
// its own message (check::layer_* in checks.hpp).
//   sizes        scalar, in, out, trainable
//   parameters   parameters(), const and not: a std::tuple of references to
//                its parameter objects, in a fixed order (their names, the
//                order of requests, optimizers and checkpoints)
//   application  operator() on an expression of `in` features, and a static
//                with_weights(one expression per parameter, in order)
//                returning what applies the layer with those instead
template <class L>
concept LayerSizes = requires {
  typename L::scalar;
  { L::in } -> std::convertible_to<int>;
  { L::out } -> std::convertible_to<int>;
  { L::trainable } -> std::convertible_to<bool>;
};
template <class L>
concept LayerParameters = requires(L& l, const L& c) {
  requires is_parameter_tuple_v<decltype(l.parameters())>;
  requires is_parameter_tuple_v<decltype(c.parameters())>;
};

template <class L>
using parameters_t = std::remove_cvref_t<decltype(std::declval<L&>().parameters())>;

// An operand standing for each parameter of L, of its shape: what the
// application concept feeds with_weights.
template <class L, class Tuple = parameters_t<L>>
struct parameter_stand_ins;
template <class L, class... P>
struct parameter_stand_ins<L, std::tuple<P&...>> {
  using type = std::tuple<parameter_ref<typename P::id, typename P::scalar, P::rows, P::cols>...>;
};

template <class L, class StandIns = typename parameter_stand_ins<L>::type>
inline constexpr bool takes_weights = false;
template <class L, class... R>
inline constexpr bool takes_weights<L, std::tuple<R...>> = requires(const R&... r) {
  L::with_weights(r...);
};

template <class L>
using probe_input = parameter_ref<param<layer_probe_tag, 0, weight>, typename L::scalar, 1, L::in>;

template <class L>
concept LayerApplication = LayerSizes<L> && LayerParameters<L> && requires(const L& l) {
  { l(std::declval<probe_input<L>>()) } -> Expression;
  requires takes_weights<L>;
};

template <class L>
concept Layer = LayerSizes<L> && LayerParameters<L> && LayerApplication<L>;

// The number of parameters of a layer type.
template <class L>
inline constexpr std::size_t parameter_count = std::tuple_size_v<parameters_t<L>>;

// f(p) for every parameter of a layer, in its order.
template <class L, class F>
constexpr void for_each_parameter_of(L& layer, F&& f) {
  std::apply([&](auto&... p) { (f(p), ...); }, layer.parameters());
}

namespace detail {

// What a model stores in place of a layer whose declaration or type failed
// its check (the check has reported it): no parameters, applies to poison.
template <class S>
struct invalid_layer {
  using scalar = S;
  static constexpr int in = 1;
  static constexpr int out = 1;
  static constexpr bool trainable = false;
  constexpr std::tuple<> parameters() const { return {}; }
  template <Expression X>
  constexpr auto operator()(const X&) const {
    return poisoned<S, X::rows, 1>{};
  }
  static constexpr invalid_layer with_weights() { return {}; }
};

// What a wrapper (Frozen, Residual) stands on in place of a type that is not
// a declaration, once the wrapper's check has said so: a declaration of an
// invalid_layer, so that the model takes it without a second error.
struct invalid_declaration {
  static constexpr int in = 1;
  static constexpr int out = 1;
  static constexpr bool trainable = false;
  using unfrozen = invalid_declaration;
  template <class Tag, std::size_t Index, class S, bool Trainable>
  using layer = invalid_layer<S>;
};

// T if it is a declaration; otherwise the check that it is not fails here
// and the stand-in takes its place.
template <class T>
using checked_declaration =
    std::conditional_t<check::layer_declaration_is_complete<T, LayerDeclaration<T>>::check(), T,
                       invalid_declaration>;

// Frozen<Declaration>: the same layer, not trained.
template <class D>
struct frozen_layer : D::unfrozen {
  static constexpr bool trainable = false;
};

template <class T>
struct freeze {
  using type = frozen_layer<typename checked_declaration<T>::unfrozen>;
};

}  // namespace detail

// The one spelling of "not trained": Frozen<Dense<64, 32, ReLU>> in a
// model's type, or Frozen<Model> for a model with every layer frozen (the
// specialisation for models is in model.hpp). Frozen<Frozen<T>> is
// Frozen<T>. A request for a frozen parameter does not compile; requesting
// a model means its trainable layers.
template <class T>
using Frozen = typename detail::freeze<T>::type;

}  // namespace tapeless
