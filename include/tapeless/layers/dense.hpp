#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>

#include <tapeless/activations/identity.hpp>
#include <tapeless/checks.hpp>
#include <tapeless/layers/layer.hpp>
#include <tapeless/node/expr.hpp>
#include <tapeless/node/parameter.hpp>
#include <tapeless/node/poisoned.hpp>
#include <tapeless/ops/dense.hpp>

namespace tapeless {

template <class Model, std::size_t Index, class S, int In, int Out, class Activation,
          bool Trainable>
struct dense_layer;

// The declaration of a fully connected layer, y = f(x W + b), as it appears
// in a model's type: `Dense<64, 32, ReLU>`. A model turns it into a
// `dense_layer` that owns W (In x Out) and b (1 x Out).
template <int In, int Out, class Act = Identity>
struct Dense {
  static_assert(check::enforce<check::layer_sizes_are_positive<In, Out>>);
  static_assert(check::enforce<check::activation_is_complete<Act, Activation<Act>>>);
  // Clamped, so that after a failed check the model's storage still
  // compiles (and computes as if the activation were the identity).
  static constexpr int in = In > 0 ? In : 1;
  static constexpr int out = Out > 0 ? Out : 1;
  static constexpr bool trainable = true;
  using activation = std::conditional_t<Activation<Act>, Act, Identity>;
  using unfrozen = Dense;
  template <class Tag, std::size_t Index, class S, bool Trainable>
  using layer = dense_layer<Tag, Index, S, in, out, activation, Trainable>;
};

namespace detail {

// The Dense op applied to x with weight and bias nodes, after the checks on
// x: its feature count and scalar type.
template <class Id, class S, int In, class Activation, Expression X, class W, class B>
constexpr auto apply_dense(const X& x, const W& w, const B& b) {
  if constexpr (contains_poisoned_v<X>)
    return make_expr(ops::dense<Activation>{}, poisoned<S, X::rows, In>{}, w, b);
  else if constexpr (!check::all(
                         check::layer_input_matches<Id, expected<In>, found<X::cols>>::check(),
                         check::scalars_match<S, typename X::scalar>::check()))
    return make_expr(ops::dense<Activation>{}, poisoned<S, X::rows, In>{}, w, b);
  else
    return make_expr(ops::dense<Activation>{}, x, w, b);
}

}  // namespace detail

// A Dense layer whose weight and bias are expressions (layer.with_weights):
// applying it builds the same fused op as the stored layer, with those
// expressions as operands, so the gradient flows into whatever they read.
template <class Id, class S, int In, class Activation, class W, class B>
struct computed_dense {
  W weight;
  B bias;

  template <Expression X>
  constexpr auto operator()(const X& x) const {
    return detail::apply_dense<Id, S, In, Activation>(x, weight, bias);
  }
};

// Layer `Index` of the model tagged `Model`: its parameters and how it
// applies to an expression. Applying it twice shares its parameters, and
// their gradients add up.
template <class Model, std::size_t Index, class S, int In, int Out, class Activation,
          bool Trainable>
struct dense_layer {
  using scalar = S;
  static constexpr int in = In;
  static constexpr int out = Out;
  static constexpr bool trainable = Trainable;
  using activation = Activation;

  parameter<param<Model, Index, kind_for<tapeless::weight, Trainable>>, S, In, Out> weight;
  parameter<param<Model, Index, kind_for<tapeless::bias, Trainable>>, S, 1, Out> bias;

  constexpr auto parameters() { return std::tie(weight, bias); }
  constexpr auto parameters() const { return std::tie(weight, bias); }

  template <Expression X>
  constexpr auto operator()(const X& x) const {
    return detail::apply_dense<layer_id<Model, Index>, S, In, Activation>(x, weight.ref(),
                                                                          bias.ref());
  }

  // This layer with its weight and bias computed by expressions (In x Out
  // and 1 x Out) instead of read from its parameters, which it does not
  // touch: `layer.with_weights(base.weight + tl::matmul(A, B), base.bias)(x)`.
  // Static: a layer type with no stored parameters can be applied.
  template <Expression W, Expression B>
  static constexpr auto with_weights(const W& w, const B& b) {
    using id = layer_id<Model, Index>;
    using result = computed_dense<id, S, In, Activation, node_t<W>, node_t<B>>;
    using stand_in =
        computed_dense<id, S, In, Activation, poisoned<S, In, Out>, poisoned<S, 1, Out>>;
    if constexpr (contains_poisoned_v<node_t<W>> || contains_poisoned_v<node_t<B>>)
      return stand_in{};
    else if constexpr (!check::all(check::computed_weights_match<id, shape<In, Out>,
                                                                 shape<W::rows, W::cols>>::check(),
                                   check::computed_weights_match<id, shape<1, Out>,
                                                                 shape<B::rows, B::cols>>::check(),
                                   check::scalars_match<S, typename W::scalar>::check(),
                                   check::scalars_match<S, typename B::scalar>::check()))
      return stand_in{};
    else
      return result{as_node(w), as_node(b)};
  }
};

}  // namespace tapeless
