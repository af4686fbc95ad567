#pragma once

#include <cstddef>
#include <type_traits>

#include <tapeless/activations/identity.hpp>
#include <tapeless/checks.hpp>
#include <tapeless/node/expr.hpp>
#include <tapeless/node/parameter.hpp>
#include <tapeless/node/poisoned.hpp>
#include <tapeless/ops/dense.hpp>

namespace tapeless {

// The declaration of a fully connected layer, y = f(x W + b), as it appears
// in a model's type: `Dense<64, 32, ReLU>`. A model turns it into a
// `dense_layer` that owns W (In x Out) and b (1 x Out).
template <int In, int Out, class Activation = Identity>
struct Dense {
  static_assert(check::enforce<check::dense_sizes_are_positive<In, Out>>);
  // Clamped, so that after a failed check the model's storage still compiles.
  static constexpr int in = In > 0 ? In : 1;
  static constexpr int out = Out > 0 ? Out : 1;
  static constexpr bool valid = In > 0 && Out > 0;
  static constexpr bool trainable = true;
  using activation = Activation;
  using unfrozen = Dense;
};

namespace detail {
template <class Layer>
struct frozen_layer : Layer::unfrozen {
  static constexpr bool trainable = false;
};
}  // namespace detail

// A layer that is not trainable, as part of the model's type:
// `model<enc, float, Frozen<Dense<64, 32, ReLU>>>`. It computes as the layer
// it wraps; a gradient request for its parameters does not compile, and
// requesting the whole model leaves them out. Frozen<Frozen<L>> is
// Frozen<L>.
template <class Layer>
using Frozen = detail::frozen_layer<typename Layer::unfrozen>;

// Layer `Index` of the model tagged `Model`: its parameters and how it
// applies to an expression. Applying it twice shares its parameters, and
// their gradients add up.
template <class Model, std::size_t Index, class S, int In, int Out, class Activation,
          bool Trainable = true>
struct dense_layer {
  using scalar = S;
  static constexpr int in = In;
  static constexpr int out = Out;
  static constexpr bool trainable = Trainable;
  using activation = Activation;

  template <class Kind>
  using kind = std::conditional_t<Trainable, Kind, frozen<Kind>>;

  parameter<param<Model, Index, kind<tapeless::weight>>, S, In, Out> weight;
  parameter<param<Model, Index, kind<tapeless::bias>>, S, 1, Out> bias;

  template <Expression X>
  auto operator()(const X& x) const {
    using id = layer_id<Model, Index>;
    if constexpr (contains_poisoned_v<X>)
      return make_expr(ops::dense<Activation>{}, poisoned<S, X::rows, In>{}, weight.ref(),
                       bias.ref());
    else if constexpr (!check::all(
                           check::layer_input_matches<id, expected<In>, found<X::cols>>::check(),
                           check::scalars_match<S, typename X::scalar>::check()))
      return make_expr(ops::dense<Activation>{}, poisoned<S, X::rows, In>{}, weight.ref(),
                       bias.ref());
    else
      return make_expr(ops::dense<Activation>{}, x, weight.ref(), bias.ref());
  }
};

}  // namespace tapeless
