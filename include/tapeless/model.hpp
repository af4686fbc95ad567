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

  template <std::size_t I, class X>
  auto apply_from(const X& x) const {
    if constexpr (I == sizeof...(Layers))
      return as_node(x);
    else
      return apply_from<I + 1>(std::get<I>(layers_)(x));
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
    else if constexpr (!chains)
      return poisoned<S, X::rows, std::tuple_element_t<depth - 1, std::tuple<Layers...>>::out>{};
    else
      return apply_from<0>(x);
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
  template <class OtherTag, class... Other>
  requires(std::is_same_v<
           typename Layers::unfrozen,
           typename Other::unfrozen>&&...) void copy_values_from(const model<OtherTag, S, Other...>&
                                                                     other) {
    copy_values_from(other, std::index_sequence_for<Layers...>{});
  }

 private:
  template <class Other, std::size_t... I>
  void copy_values_from(const Other& other, std::index_sequence<I...>) {
    ((layer<I>().weight.value = other.template layer<I>().weight.value,
      layer<I>().bias.value = other.template layer<I>().bias.value),
     ...);
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
