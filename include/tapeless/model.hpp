#pragma once

#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include <tapeless/checks.hpp>
#include <tapeless/detail/type_name.hpp>
#include <tapeless/layers/dense.hpp>
#include <tapeless/node/poisoned.hpp>

namespace tapeless {

namespace detail {

template <class Tag, class S, class Layers, class Indices>
struct layer_tuple;
template <class Tag, class S, class... L, std::size_t... I>
struct layer_tuple<Tag, S, std::tuple<L...>, std::index_sequence<I...>> {
  using type =
      std::tuple<dense_layer<Tag, I, S, L::in, L::out, typename L::activation, L::trainable>...>;
};

// Whether layer I+1 takes what layer I gives, for every I; with Enforce,
// the check of each pair is instantiated so a mismatch is reported.
template <bool Enforce, class Tag, class... L, std::size_t... I>
constexpr bool layers_chain(std::index_sequence<I...>) {
  using layers = std::tuple<L...>;
  if constexpr (Enforce)
    return (check::enforce<check::consecutive_layers_match<
                layer_id<Tag, I + 1>, expected<std::tuple_element_t<I + 1, layers>::in>,
                found<std::tuple_element_t<I, layers>::out>>> &&
            ...);
  else
    return ((std::tuple_element_t<I + 1, layers>::in == std::tuple_element_t<I, layers>::out) &&
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
}  // namespace detail

// A model of the same scalar type and layer sizes as Model, whatever its tag
// and whichever of its layers are Frozen: what values can be copied from.
template <class Other, class Model>
concept SameArchitecture = detail::same_architecture<std::remove_cvref_t<Other>, Model>;

// A sequence of layers with its own identity, the tag: two models of the
// same architecture but different tags are different models, and their
// parameters are different nodes of any graph. The tag is any type, usually
// declared in place: `model<struct encoder, float, Dense<64, 32, ReLU>>`.
// Parameters start at zero; set them through layer<I>().weight.value.
template <class Tag, class S, class... Layers>
class model {
  static_assert(check::enforce<check::model_has_layers<Layers...>>);
  using pairs = std::make_index_sequence<sizeof...(Layers) == 0 ? 0 : sizeof...(Layers) - 1>;
  static_assert(detail::layers_chain<true, Tag, Layers...>(pairs{}));
  // Applying a model whose layers do not chain would fail again in the
  // layers; it yields a poisoned value instead (see checks.hpp).
  static constexpr bool chains = detail::layers_chain<false, Tag, Layers...>(pairs{});

  using layers_type = typename detail::layer_tuple<Tag, S, std::tuple<Layers...>,
                                                   std::index_sequence_for<Layers...>>::type;
  layers_type layers_;

  template <std::size_t I>
  using layer_type = std::tuple_element_t<I, layers_type>;

  // x through the layers of a tuple (stored or computed) in order; after a
  // failed check on the model's type, a poisoned value instead.
  template <std::size_t I = 0, class Tuple, class X>
  static constexpr auto apply_all(const Tuple& layers, const X& x) {
    if constexpr (I == 0 && !chains)
      return poisoned<S, X::rows, std::tuple_element_t<depth - 1, std::tuple<Layers...>>::out>{};
    else if constexpr (I == sizeof...(Layers))
      return as_node(x);
    else
      return apply_all<I + 1>(layers, std::get<I>(layers)(x));
  }

  // The layers with weights and biases computed by expressions: what
  // with_weights returns.
  template <class Computed>
  struct computed {
    Computed layers;
    template <Expression X>
    constexpr auto operator()(const X& x) const {
      return apply_all(layers, x);
    }
  };

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

  // The model with every layer's weight and bias computed by expressions,
  // given in layer order (W0, b0, W1, b1, ...), in place of its stored
  // parameters: `target_type::with_weights(W0, b0, W1, b1)(x)`. The
  // gradient flows into whatever the expressions read (another model's
  // parameters, for a hypernetwork). Static: the target network needs no
  // object and stores nothing.
  template <Expression... P>
  static constexpr auto with_weights(const P&... p) {
    constexpr int given = sizeof...(P);
    if constexpr (!check::computed_weights_cover_layers<model, expected<2 * int(depth)>,
                                                        found<given>>::check()) {
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return computed<std::tuple<decltype(layer_type<I>::with_weights(
            poisoned<S, layer_type<I>::in, layer_type<I>::out>{},
            poisoned<S, 1, layer_type<I>::out>{}))...>>{};
      }
      (std::index_sequence_for<Layers...>{});
    } else {
      const auto nodes = std::make_tuple(as_node(p)...);
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        auto layers = std::make_tuple(
            layer_type<I>::with_weights(std::get<2 * I>(nodes), std::get<2 * I + 1>(nodes))...);
        return computed<decltype(layers)>{layers};
      }
      (std::index_sequence_for<Layers...>{});
    }
  }

  // Calls f(parameter) for every weight and bias, layer by layer.
  template <class F>
  void for_each_parameter(F&& f) {
    std::apply([&](auto&... l) { ((f(l.weight), f(l.bias)), ...); }, layers_);
  }
  template <class F>
  void for_each_parameter(F&& f) const {
    std::apply([&](const auto&... l) { ((f(l.weight), f(l.bias)), ...); }, layers_);
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
      ((f(layer<I>().weight.value, other.template layer<I>().weight.value),
        f(layer<I>().bias.value, other.template layer<I>().bias.value)),
       ...);
    }
    (std::index_sequence_for<Layers...>{});
  }
};

// The same model with every layer frozen: `frozen_t<encoder_type>`, for
// an encoder that is pretrained, then kept fixed under a new head.
template <class Model>
struct frozen_model;
template <class Tag, class S, class... L>
struct frozen_model<model<Tag, S, L...>> {
  using type = model<Tag, S, Frozen<L>...>;
};
template <class Model>
using frozen_t = typename frozen_model<Model>::type;

template <class T>
inline constexpr bool is_model_v = false;
template <class Tag, class S, class... L>
inline constexpr bool is_model_v<model<Tag, S, L...>> = true;

template <class T>
inline constexpr bool is_dense_layer_v = false;
template <class M, std::size_t I, class S, int In, int Out, class A, bool T>
inline constexpr bool is_dense_layer_v<dense_layer<M, I, S, In, Out, A, T>> = true;

}  // namespace tapeless
