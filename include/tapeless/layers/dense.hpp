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
  static constexpr int in = In;
  static constexpr int out = Out;
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
    constexpr bool sizes_ok = check::layer_input_matches<id, expected<In>, found<X::cols>>::value;
    constexpr bool scalars_ok = sizes_ok && check::scalars_match<S, typename X::scalar>::value;
    if constexpr (!scalars_ok)
      return make_expr(ops::dense<Activation>{}, poisoned<S, X::rows, In>{}, weight.ref(),
                       bias.ref());
    else
      return make_expr(ops::dense<Activation>{}, x, weight.ref(), bias.ref());
  }
};

}  // namespace tapeless
