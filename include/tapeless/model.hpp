#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include <tapeless/checks.hpp>
#include <tapeless/detail/type_name.hpp>
#include <tapeless/layers/dense.hpp>
#include <tapeless/layers/layer.hpp>
#include <tapeless/node/poisoned.hpp>

namespace tapeless {

namespace detail {

// Whether declaration D makes a layer, each requirement checked in turn so
// that the first unmet one is the one error.
template <class Tag, std::size_t I, class S, class D>
constexpr bool layer_is_valid() {
  if constexpr (!check::layer_declaration_is_complete<D, LayerDeclaration<D>>::check()) {
    return false;
  } else {
    using L = typename D::template layer<Tag, I, S, D::trainable>;
    if constexpr (!check::layer_declares_sizes<L, LayerSizes<L>>::check())
      return false;
    else if constexpr (!check::layer_lists_parameters<L, LayerParameters<L>>::check())
      return false;
    else
      return check::layer_applies<L, LayerApplication<L>>::check();
  }
}

template <class Tag, std::size_t I, class S, class D, bool Valid = layer_is_valid<Tag, I, S, D>()>
struct layer_of {
  using type = typename D::template layer<Tag, I, S, D::trainable>;
};
template <class Tag, std::size_t I, class S, class D>
struct layer_of<Tag, I, S, D, false> {
  using type = invalid_layer<S>;
};

template <class Tag, class S, class Declarations, class Indices>
struct layer_tuple;
template <class Tag, class S, class... D, std::size_t... I>
struct layer_tuple<Tag, S, std::tuple<D...>, std::index_sequence<I...>> {
  using type = std::tuple<typename layer_of<Tag, I, S, D>::type...>;
  static constexpr bool valid =
      (!std::is_same_v<typename layer_of<Tag, I, S, D>::type, invalid_layer<S>> && ...);
};

// Whether layer I+1 takes what layer I gives, for every I; with Enforce,
// the check of each pair is instantiated so a mismatch is reported.
template <bool Enforce, class Tag, class Layers, std::size_t... I>
constexpr bool layers_chain(std::index_sequence<I...>) {
  if constexpr (Enforce)
    return (check::enforce<check::consecutive_layers_match<
                layer_id<Tag, I + 1>, expected<std::tuple_element_t<I + 1, Layers>::in>,
                found<std::tuple_element_t<I, Layers>::out>>> &&
            ...);
  else
    return ((std::tuple_element_t<I + 1, Layers>::in == std::tuple_element_t<I, Layers>::out) &&
            ...);
}

}  // namespace detail

template <class Tag, class S, class... Layers>
class model;

namespace detail {
template <class A, class B>
inline constexpr bool same_architecture = false;
template <class T1, class T2, class S, class... L1, class... L2>
inline constexpr bool same_architecture<model<T1, S, L1...>, model<T2, S, L2...>> = [] {
  if constexpr (sizeof...(L1) != sizeof...(L2))
    return false;
  else
    return (std::is_same_v<typename L1::unfrozen, typename L2::unfrozen> && ...);
}();

// Frozen<model<...>>: every layer frozen.
template <class Tag, class S, class... L>
struct freeze<model<Tag, S, L...>> {
  using type = model<Tag, S, Frozen<L>...>;
};
}  // namespace detail

// A model of the same scalar type and layer sizes as Model, whatever its tag
// and whichever of its layers are Frozen: what values can be copied from.
template <class Other, class Model>
concept SameArchitecture = detail::same_architecture<std::remove_cvref_t<Other>, Model>;

// A sequence of layers with its own identity, the tag: two models of the
// same architecture but different tags are different models, and their
// parameters are different nodes of any graph. The tag is any type, usually
// declared in place: `model<struct encoder, float, Dense<64, 32, ReLU>>`.
// The layers are any declarations that meet LayerDeclaration
// (layers/layer.hpp). Parameters start at zero (see tl::initialize).
template <class Tag, class S, class... Layers>
class model {
  static_assert(check::enforce<check::model_has_layers<Layers...>>);
  // Completes the declarations here, so that a declaration's own check
  // (Dense's sizes) is reported from the model, not from deep in a concept.
  static_assert(((sizeof(Layers) > 0) && ...));

  using tuple_of =
      detail::layer_tuple<Tag, S, std::tuple<Layers...>, std::index_sequence_for<Layers...>>;
  using layers_type = typename tuple_of::type;
  layers_type layers_;

  template <std::size_t I>
  using layer_type = std::tuple_element_t<I, layers_type>;

  using pairs = std::make_index_sequence<sizeof...(Layers) == 0 ? 0 : sizeof...(Layers) - 1>;
  // Chaining is checked once every layer is valid (else the check would
  // only report a consequence); applying a model that fails either yields a
  // poisoned value, so that the one error stays the only one.
  static constexpr bool chains = [] {
    if constexpr (!tuple_of::valid)
      return false;
    else
      return detail::layers_chain<true, Tag, layers_type>(pairs{});
  }() && detail::layers_chain<false, Tag, layers_type>(pairs{});

  // x through the layers of a tuple (stored or computed) in order.
  template <std::size_t I = 0, class Tuple, class X>
  static constexpr auto apply_all(const Tuple& layers, const X& x) {
    if constexpr (I == 0 && !chains)
      return poisoned<S, X::rows, layer_type<sizeof...(Layers) - 1>::out>{};
    else if constexpr (I == sizeof...(Layers))
      return as_node(x);
    else
      return apply_all<I + 1>(layers, std::get<I>(layers)(x));
  }

  // The layers with parameters computed by expressions: what with_weights
  // returns.
  template <class Computed>
  struct computed {
    Computed layers;
    template <Expression X>
    constexpr auto operator()(const X& x) const {
      return apply_all(layers, x);
    }
  };

  // Where layer I's parameters start in with_weights' list, and how many.
  static constexpr std::array<std::size_t, sizeof...(Layers) + 1> first_parameter =
      []<std::size_t... I>(std::index_sequence<I...>) {
    std::array<std::size_t, sizeof...(Layers) + 1> out{};
    std::size_t k = 0;
    ((out[k + 1] = out[k] + parameter_count<layer_type<I>>, ++k), ...);
    return out;
  }
  (std::index_sequence_for<Layers...>{});

  // Layer I applied with the expressions of its parameters taken from `nodes`.
  template <std::size_t I, class Nodes, std::size_t... J>
  static constexpr auto layer_with(const Nodes& nodes, std::index_sequence<J...>) {
    return layer_type<I>::with_weights(std::get<first_parameter[I] + J>(nodes)...);
  }
  // The same with a poisoned stand-in for each parameter, after a failed
  // check.
  template <class Parameters>
  struct stand_ins;
  template <class... P>
  struct stand_ins<std::tuple<P&...>> {
    using type = std::tuple<poisoned<S, P::rows, P::cols>...>;
  };
  template <std::size_t I>
  static constexpr auto layer_with_stand_ins() {
    return std::apply([](const auto&... p) { return layer_type<I>::with_weights(p...); },
                      typename stand_ins<parameters_t<layer_type<I>>>::type{});
  }

 public:
  using tag = Tag;
  using scalar = S;
  static constexpr std::size_t depth = sizeof...(Layers);

  // One identity per object: a copy would be a second object with this
  // model's tag, so copying is a compile error that says what to do
  // instead. Moving hands the parameters over; expressions built from the
  // moved-from object still point at it, so build them after the move.
  model() = default;
  model(model&&) noexcept = default;
  model& operator=(model&&) noexcept = default;
  model(const model&) { static_assert(check::enforce<check::model_is_not_copied<Tag>>); }
  model& operator=(const model&) {
    static_assert(check::enforce<check::model_is_not_copied<Tag>>);
    return *this;
  }

  static std::string name() { return std::string(detail::type_name<Tag>()); }

  // constexpr, so that compile-time questions can name a layer's
  // parameters through an object: static_assert(tl::depends_on(loss, w)).
  template <std::size_t I>
  constexpr auto& layer() {
    return std::get<I>(layers_);
  }
  template <std::size_t I>
  constexpr const auto& layer() const {
    return std::get<I>(layers_);
  }

  // The model applied to an expression: its layers in order.
  template <Expression X>
  auto operator()(const X& x) const {
    if constexpr (depth == 0)
      return poisoned<S, X::rows, X::cols>{};
    else
      return apply_all(layers_, x);
  }

  // The model with every layer's parameters computed by expressions, given
  // in layer order and, within a layer, in its parameters' order (W0, b0,
  // W1, b1, ... for Dense layers), in place of its stored parameters:
  // `target_type::with_weights(W0, b0, W1, b1)(x)`. The gradient flows into
  // whatever the expressions read (another model's parameters, for a
  // hypernetwork). Static: the target network needs no object and stores
  // nothing.
  template <Expression... P>
  static constexpr auto with_weights(const P&... p) {
    constexpr int expected_count = static_cast<int>(first_parameter[depth]);
    if constexpr (!check::computed_weights_cover_layers<model, expected<expected_count>,
                                                        found<int(sizeof...(P))>>::check()) {
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return computed<std::tuple<decltype(layer_with_stand_ins<I>())...>>{};
      }
      (std::index_sequence_for<Layers...>{});
    } else {
      const auto nodes = std::make_tuple(as_node(p)...);
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        auto layers = std::make_tuple(
            layer_with<I>(nodes, std::make_index_sequence<parameter_count<layer_type<I>>>{})...);
        return computed<decltype(layers)>{layers};
      }
      (std::index_sequence_for<Layers...>{});
    }
  }

  // Calls f(parameter) for every parameter, layer by layer, each layer's in
  // its order.
  template <class F>
  void for_each_parameter(F&& f) {
    std::apply([&](auto&... l) { (for_each_parameter_of(l, f), ...); }, layers_);
  }
  template <class F>
  void for_each_parameter(F&& f) const {
    std::apply([&](const auto&... l) { (for_each_parameter_of(l, f), ...); }, layers_);
  }

  // Calls f(name, matrix) for every parameter, layer by layer: what a
  // checkpoint saves and loads (io/checkpoint.hpp), under the parameters'
  // names ("tag.layer0.W").
  template <class F>
  void for_each_tensor(F&& f) {
    for_each_parameter([&](auto& p) { f(p.name(), p.value); });
  }
  template <class F>
  void for_each_tensor(F&& f) const {
    for_each_parameter([&](const auto& p) { f(p.name(), p.value); });
  }

  // Copies the values of another model of the same architecture, as Keras'
  // `set_weights` or a variable's `assign` do. It copies numbers only: this
  // model's parameters do not come to depend on the other's, and a gradient
  // request through that copy is rejected at compile time.
  // The other model may differ in which layers are Frozen (pretrain, then
  // copy into the frozen version).
  template <SameArchitecture<model> Other>
  void copy_values_from(const Other& other) {
    zip_values(other, [](auto& mine, const auto& theirs) { mine = theirs; });
  }

  // Polyak averaging, as DQN's target networks are updated: every parameter
  // p <- tau p_other + (1 - tau) p. Values only, like copy_values_from: the
  // other model's loss does not come to depend on this one, and a gradient
  // request for it through that loss stays a compile error.
  template <SameArchitecture<model> Other>
  void polyak_update_from(const Other& other, S tau) {
    zip_values(other, [tau](auto& mine, const auto& theirs) {
      mine = tau * theirs + (S(1) - tau) * mine;
    });
  }

 private:
  // f(this value, the other's value) for every parameter, layer by layer.
  template <class Other, class F>
  void zip_values(const Other& other, F f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (std::apply(
           [&](auto&... mine) {
             std::apply([&](const auto&... theirs) { (f(mine.value, theirs.value), ...); },
                        other.template layer<I>().parameters());
           },
           layer<I>().parameters()),
       ...);
    }
    (std::index_sequence_for<Layers...>{});
  }
};

template <class T>
inline constexpr bool is_model_v = false;
template <class Tag, class S, class... L>
inline constexpr bool is_model_v<model<Tag, S, L...>> = true;

}  // namespace tapeless
