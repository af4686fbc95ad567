#pragma once

// Every static check of tapeless, in one place. Each is a class template named
// after the rule it enforces, whose arguments are the culprits, so that both
// compilers print the offending types next to the message. Each has `value`;
// callers test it with `if constexpr` and, after a failure, build something
// that compiles cleanly, so that one mistake gives one error.
//
// Messages are API and share one grammar:
//   "tapeless: <where>: <what is wrong>; <what to do>"
// Tests match each message up to its first parenthesis, so keep that part
// free of regular-expression metacharacters.

#include <type_traits>

namespace tapeless {

// Culprit wrappers that read well in a diagnostic.
template <int N>
struct expected {};
template <int N>
struct found {};
template <int Rows, int Cols>
struct shape {};
template <class Model, unsigned long Layer>
struct layer_id {};

namespace check {

template <bool Ok>
struct result {
  static constexpr bool value = Ok;
};

// Instantiates a check where no result is needed (a class body): true
// whatever the outcome, so the check's own message is the only error.
template <class Check>
inline constexpr bool enforce = sizeof(Check) > 0;

// ---- building expressions --------------------------------------------------

template <int In, int Out>
struct dense_sizes_are_positive : result<(In > 0 && Out > 0)> {
  static_assert(In > 0 && Out > 0,
                "tapeless: Dense<In, Out>: both sizes must be positive; the sizes are listed in "
                "this check");
};

template <int Features, int Batch>
struct input_sizes_are_valid : result<(Features > 0 && (Batch > 0 || Batch == -1))> {
  static_assert(Features > 0 && (Batch > 0 || Batch == -1),
                "tapeless: input or variable: the feature count must be positive and the batch "
                "positive or tl::dynamic; the sizes are listed in this check");
};

template <class... Layers>
struct model_has_layers : result<(sizeof...(Layers) > 0)> {
  static_assert(sizeof...(Layers) > 0,
                "tapeless: model: a model needs at least one layer; list its Dense layers after "
                "the tag and the scalar type");
};

// A model whose layer I+1 does not take what layer I gives.
template <class Layer, class Expected, class Found>
struct consecutive_layers_match;
template <class Layer, int E, int F>
struct consecutive_layers_match<Layer, expected<E>, found<F>> : result<E == F> {
  static_assert(E == F,
                "tapeless: model: a layer's In differs from the Out of the layer before it; the "
                "layer, its In and the previous Out are listed in this check");
};

// A layer applied to an expression with another number of features.
template <class Layer, class Expected, class Found>
struct layer_input_matches;
template <class Layer, int E, int F>
struct layer_input_matches<Layer, expected<E>, found<F>> : result<E == F> {
  static_assert(E == F,
                "tapeless: Dense layer: the input's number of features (columns) differs from the "
                "layer's In; the layer, its In and the input's column count are listed in this "
                "check");
};

// Operands of one graph must share a scalar type.
template <class Left, class Right>
struct scalars_match : result<std::is_same_v<Left, Right>> {
  static_assert(std::is_same_v<Left, Right>,
                "tapeless: operands of different scalar types (both listed in this check); build "
                "every model and input of one graph with the same scalar type");
};

// Elementwise operands must have one shape (a dynamic batch matches any).
template <class Op, class Left, class Right>
struct shapes_match;
template <class Op, int R1, int C1, int R2, int C2>
struct shapes_match<Op, shape<R1, C1>, shape<R2, C2>>
    : result<C1 == C2 && (R1 == R2 || R1 == -1 || R2 == -1)> {
  static_assert(C1 == C2 && (R1 == R2 || R1 == -1 || R2 == -1),
                "tapeless: elementwise operation: the operands' shapes differ; the operation and "
                "both shapes are listed in this check (rows, columns; -1 is a run-time batch)");
};

// ---- gradient requests -----------------------------------------------------

template <class Shape>
struct loss_is_scalar;
template <int R, int C>
struct loss_is_scalar<shape<R, C>> : result<R == 1 && C == 1> {
  static_assert(R == 1 && C == 1,
                "tapeless: gradient request: the loss must be a scalar (a 1x1 expression) and this "
                "one has the shape listed in this check; reduce it with tl::sum or tl::mean");
};

template <class Argument, bool Differentiable>
struct argument_is_differentiable : result<Differentiable> {
  static_assert(Differentiable,
                "tapeless: gradient request: the argument listed in this check is not a parameter, "
                "a layer, a model or a tl::variable, so there is nothing to differentiate with "
                "respect to; a tl::input is data: declare it with tl::variable instead");
};

template <class... Parameters>
struct loss_uses_parameters : result<sizeof...(Parameters) == 0> {
  static_assert(sizeof...(Parameters) == 0,
                "tapeless: gradient request: the loss does not depend on the parameters listed in "
                "this check because it does not use them at all (copying values from another "
                "model creates no dependency); remove them from the request, or pass "
                "tl::unconnected_as_zero first to get zero gradients for them");
};

template <class... Parameters>
struct loss_uses_parameters_past_stop_gradient : result<sizeof...(Parameters) == 0> {
  static_assert(sizeof...(Parameters) == 0,
                "tapeless: gradient request: the loss does not depend on the parameters listed in "
                "this check because every path from them to the loss passes through "
                "stop_gradient; remove them from the request, or pass tl::unconnected_as_zero "
                "first to get zero gradients for them");
};

template <class Parameter, bool Requested>
struct gradient_was_requested : result<Requested> {
  static_assert(Requested,
                "tapeless: reading a gradient: the parameter listed in this check was not part of "
                "the gradient request; add it to the tl::gradient call");
};

// ---- running programs ------------------------------------------------------

template <class... Inputs>
struct every_input_is_fed : result<sizeof...(Inputs) == 0> {
  static_assert(sizeof...(Inputs) == 0,
                "tapeless: running a program: the expression reads the inputs listed in this "
                "check but they were not fed; pass tl::feed(input, data) for each");
};

template <class... Inputs>
struct every_feed_is_used : result<sizeof...(Inputs) == 0> {
  static_assert(sizeof...(Inputs) == 0,
                "tapeless: running a program: the inputs listed in this check were fed but the "
                "expression does not read them, or were fed twice; feed each input it reads once");
};

template <class Input, class DataScalar>
struct feed_scalar_matches : result<std::is_same_v<typename Input::scalar, DataScalar>> {
  static_assert(std::is_same_v<typename Input::scalar, DataScalar>,
                "tapeless: feed: the data's scalar type differs from the input's; the input and "
                "the data's scalar type are listed in this check");
};

template <class Input, class Found>
struct feed_columns_match;
template <class Input, int F>
struct feed_columns_match<Input, found<F>> : result<F == -1 || F == Input::cols> {
  static_assert(F == -1 || F == Input::cols,
                "tapeless: feed: the data's number of columns differs from the input's feature "
                "count; the input and the data's column count are listed in this check");
};

}  // namespace check
}  // namespace tapeless
