#pragma once

#include <cstddef>

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
  using activation = Activation;
};

// Layer `Index` of the model tagged `Model`: its parameters and how it
// applies to an expression. Applying it twice shares its parameters, and
// their gradients add up.
template <class Model, std::size_t Index, class S, int In, int Out, class Activation>
struct dense_layer {
  using scalar = S;
  static constexpr int in = In;
  static constexpr int out = Out;
  using activation = Activation;

  parameter<param<Model, Index, tapeless::weight>, S, In, Out> weight;
  parameter<param<Model, Index, tapeless::bias>, S, 1, Out> bias;

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
