#pragma once

#include <cstddef>
#include <tuple>

#include <tapeless/checks.hpp>
#include <tapeless/layers/layer.hpp>
#include <tapeless/node/expr.hpp>
#include <tapeless/node/parameter.hpp>
#include <tapeless/node/poisoned.hpp>
#include <tapeless/ops/layer_norm.hpp>

// LayerNorm<N>: a layer added through the Layer concept alone (this header
// and ops/layer_norm.hpp); nothing in the core names it.
namespace tapeless {

// The gain of a normalisation layer: trained, and 1 at initialisation.
struct gain {
  static constexpr const char* name = "g";
  static constexpr bool trainable = true;
  static constexpr initial init = initial::ones;
};

template <class Model, std::size_t Index, class S, int N, bool Trainable>
struct layer_norm_layer;

// Normalises each row of N features to mean 0 and variance 1, then scales by
// a gain and shifts by a bias (both 1 x N, trained): `LayerNorm<64>` in a
// model's type. Parameters "g" and "b".
template <int N>
struct LayerNorm {
  static_assert(check::enforce<check::layer_sizes_are_positive<N, N>>);
  static constexpr int in = N > 0 ? N : 1;
  static constexpr int out = in;
  static constexpr bool trainable = true;
  using unfrozen = LayerNorm;
  template <class Tag, std::size_t Index, class S, bool Trainable>
  using layer = layer_norm_layer<Tag, Index, S, in, Trainable>;
};

namespace detail {
template <class Id, class S, int N, Expression X, class G, class B>
constexpr auto apply_layer_norm(const X& x, const G& g, const B& b) {
  if constexpr (contains_poisoned_v<X>)
    return make_expr(ops::layer_norm{}, poisoned<S, X::rows, N>{}, g, b);
  else if constexpr (!check::all(
                         check::layer_input_matches<Id, expected<N>, found<X::cols>>::check(),
                         check::scalars_match<S, typename X::scalar>::check()))
    return make_expr(ops::layer_norm{}, poisoned<S, X::rows, N>{}, g, b);
  else
    return make_expr(ops::layer_norm{}, x, g, b);
}
}  // namespace detail

// LayerNorm with gain and bias given by expressions (with_weights).
template <class Id, class S, int N, class G, class B>
struct computed_layer_norm {
  G gain;
  B bias;
  template <Expression X>
  constexpr auto operator()(const X& x) const {
    return detail::apply_layer_norm<Id, S, N>(x, gain, bias);
  }
};

template <class Model, std::size_t Index, class S, int N, bool Trainable>
struct layer_norm_layer {
  using scalar = S;
  static constexpr int in = N;
  static constexpr int out = N;
  static constexpr bool trainable = Trainable;

  parameter<param<Model, Index, kind_for<tapeless::gain, Trainable>>, S, 1, N> gain;
  parameter<param<Model, Index, kind_for<tapeless::bias, Trainable>>, S, 1, N> bias;

  constexpr auto parameters() { return std::tie(gain, bias); }
  constexpr auto parameters() const { return std::tie(gain, bias); }

  template <Expression X>
  constexpr auto operator()(const X& x) const {
    return detail::apply_layer_norm<layer_id<Model, Index>, S, N>(x, gain.ref(), bias.ref());
  }

  template <Expression G, Expression B>
  static constexpr auto with_weights(const G& g, const B& b) {
    using id = layer_id<Model, Index>;
    using stand_in = computed_layer_norm<id, S, N, poisoned<S, 1, N>, poisoned<S, 1, N>>;
    if constexpr (contains_poisoned_v<node_t<G>> || contains_poisoned_v<node_t<B>>)
      return stand_in{};
    else if constexpr (!check::all(check::computed_weights_match<id, shape<1, N>,
                                                                 shape<G::rows, G::cols>>::check(),
                                   check::computed_weights_match<id, shape<1, N>,
                                                                 shape<B::rows, B::cols>>::check()))
      return stand_in{};
    else
      return computed_layer_norm<id, S, N, node_t<G>, node_t<B>>{as_node(g), as_node(b)};
  }
};

}  // namespace tapeless
