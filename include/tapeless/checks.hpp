#pragma once

// Every static check of tapeless, in one place. Each is a class template named
// after the rule it enforces, whose arguments are the culprits, so that both
// compilers print the offending types next to the message. Its `check()`
// asserts and returns whether the rule holds; callers test it with
// `if constexpr` and, after a failure, build something that compiles cleanly
// (see node/poisoned.hpp), so that one mistake gives one error. The assertion
// sits in a member function, not in the class: clang 14 marks a class whose
// static_assert failed as invalid, and every later use of it is one more error.
//
// Messages are API and share one grammar:
//   "tapeless: <where>: <what is wrong>; <what to do>"
// Tests (tests/compile_fail) find each message in full, as plain text, in the
// first error the compiler prints.

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
// The models the loss reads whose parameters have the shapes of the unused
// requested ones, layer by layer: what the request most likely meant.
template <class... Tags>
struct did_you_mean {};

namespace check {

// Runs a check where no result is needed (a class body): true whatever the
// outcome, so the check's own message is the only error.
template <class Check>
inline constexpr bool enforce = (Check::check(), true);

// Whether all checks hold, running every one of them (unlike &&), so that
// independent mistakes are all reported.
template <class... Ok>
constexpr bool all(Ok... ok) {
  return (ok && ... && true);
}

// ---- building expressions --------------------------------------------------

template <int In, int Out>
struct layer_sizes_are_positive {
  static constexpr bool check() {
    constexpr bool ok = In > 0 && Out > 0;
    static_assert(ok,
                  "tapeless: layer declaration: its sizes must be positive; the sizes are listed "
                  "in this check");
    return ok;
  }
};

template <int Features, int Batch>
struct input_sizes_are_valid {
  static constexpr bool check() {
    constexpr bool ok = Features > 0 && (Batch > 0 || Batch == -1);
    static_assert(ok,
                  "tapeless: input or variable: the feature count must be positive and the batch "
                  "positive or tl::dynamic; the sizes are listed in this check");
    return ok;
  }
};

template <class... Layers>
struct model_has_layers {
  static constexpr bool check() {
    constexpr bool ok = sizeof...(Layers) > 0;
    static_assert(ok,
                  "tapeless: model: a model needs at least one layer; list its layers, Dense for "
                  "example, after the tag and the scalar type");
    return ok;
  }
};

// Copying a model: the copy would be a second object with the model's
// identity. Fails whenever it is instantiated (a copy is used).
template <class Tag>
struct model_is_not_copied {
  static constexpr bool check() {
    constexpr bool ok = sizeof(Tag*) == 0;
    static_assert(
        ok,
        "tapeless: model: a model cannot be copied: the copy would share the tag, so the "
        "identity, of the model listed in this check, and copying creates no dependency on it; "
        "to copy values, declare a model with its own tag and call copy_values_from; to make a "
        "model depend on another, compute its weights from the other's with with_weights");
    return ok;
  }
};

// Two model types with one tag (a copy-pasted declaration): their
// parameters would be one node of differing shapes.
template <class First, class Second>
struct clash {};
template <class... Clashes>
struct one_model_type_per_tag {
  static constexpr bool check() {
    constexpr bool ok = sizeof...(Clashes) == 0;
    static_assert(
        ok,
        "tapeless: model: two different model types share a tag, so their parameters would be "
        "one node; each pair listed in this check is the same parameter of both types, with "
        "its tag; give each model type its own tag");
    return ok;
  }
};

// The Layer extension point (layers/layer.hpp, docs/extending.md): each
// requirement that a declaration or a layer type does not meet.
template <class Declaration, bool Ok>
struct layer_declaration_is_complete {
  static constexpr bool check() {
    static_assert(Ok,
                  "tapeless: model: the type listed in this check is not a layer declaration: "
                  "it needs static in, out and trainable, a type unfrozen and a member template "
                  "layer<Tag, Index, Scalar, Trainable>; see docs/extending.md");
    return Ok;
  }
};
template <class Layer, bool Ok>
struct layer_declares_sizes {
  static constexpr bool check() {
    static_assert(Ok,
                  "tapeless: layer: the layer type listed in this check needs a type scalar and "
                  "static in, out and trainable; see docs/extending.md");
    return Ok;
  }
};
template <class Layer, bool Ok>
struct layer_lists_parameters {
  static constexpr bool check() {
    static_assert(Ok,
                  "tapeless: layer: the layer type listed in this check needs parameters, const "
                  "and non-const, returning a std::tuple of references to its tapeless::parameter "
                  "objects; see docs/extending.md");
    return Ok;
  }
};
template <class Layer, bool Ok>
struct layer_applies {
  static constexpr bool check() {
    static_assert(Ok,
                  "tapeless: layer: the layer type listed in this check needs a call operator "
                  "that takes an expression of its in features and returns an expression, and a "
                  "static with_weights that takes one expression per parameter; see "
                  "docs/extending.md");
    return Ok;
  }
};

// The Op and Activation extension points (node/op.hpp).
template <class Op, bool Ok>
struct op_is_complete {
  static constexpr bool check() {
    static_assert(Ok,
                  "tapeless: operation: the op type listed in this check needs a static name and "
                  "a shape_rule whose of<operands...> has static rows and cols for these "
                  "operands; see docs/extending.md");
    return Ok;
  }
};
// The ops on a path that tl::grad differentiates must give their pullbacks
// as expressions (a static vjp<J>(node, adjoint)); a fused op, or an
// activation without slope(y), does not.
template <class... Ops>
struct op_has_derivative_rule {
  static constexpr bool check() {
    constexpr bool ok = sizeof...(Ops) == 0;
    static_assert(ok,
                  "tapeless: grad: the ops listed in this check have no derivative rule as an "
                  "expression, so a gradient through them cannot be an expression; use "
                  "tl::gradient for a first derivative, or give each op a vjp and each "
                  "activation a slope, see docs/extending.md");
    return ok;
  }
};

template <class A, bool Ok>
struct activation_is_complete {
  static constexpr bool check() {
    static_assert(Ok,
                  "tapeless: activation: the type listed in this check needs a static name, "
                  "is_identity, apply on an Eigen array and, unless it is the identity, "
                  "derivative from the activation's output; see docs/extending.md");
    return Ok;
  }
};

// A model whose layer I+1 does not take what layer I gives.
template <class Layer, class Expected, class Found>
struct consecutive_layers_match;
template <class Layer, int E, int F>
struct consecutive_layers_match<Layer, expected<E>, found<F>> {
  static constexpr bool check() {
    constexpr bool ok = E == F;
    static_assert(ok,
                  "tapeless: model: a layer's In differs from the Out of the layer before it; the "
                  "layer, its In and the previous Out are listed in this check");
    return ok;
  }
};

// A layer applied to an expression with another number of features.
template <class Layer, class Expected, class Found>
struct layer_input_matches;
template <class Layer, int E, int F>
struct layer_input_matches<Layer, expected<E>, found<F>> {
  static constexpr bool check() {
    constexpr bool ok = E == F;
    static_assert(
        ok,
        "tapeless: layer: the input's number of features (columns) differs from the number the "
        "layer takes (Dense's In, LayerNorm's N, Embedding's Ids); the layer, the number it "
        "takes and the input's column count are listed in this check");
    return ok;
  }
};

// Operands of one graph must share a scalar type.
template <class Left, class Right>
struct scalars_match {
  static constexpr bool check() {
    constexpr bool ok = std::is_same_v<Left, Right>;
    static_assert(ok,
                  "tapeless: operands of different scalar types (both listed in this check); build "
                  "every model and input of one graph with the same scalar type");
    return ok;
  }
};

// Elementwise operands must have one shape (a dynamic batch matches any).
template <class Op, class Left, class Right>
struct shapes_match;
template <class Op, int R1, int C1, int R2, int C2>
struct shapes_match<Op, shape<R1, C1>, shape<R2, C2>> {
  static constexpr bool check() {
    constexpr bool ok = C1 == C2 && (R1 == R2 || R1 == -1 || R2 == -1);
    static_assert(ok,
                  "tapeless: elementwise operation: the operands' shapes differ; the operation and "
                  "both shapes are listed in this check (rows, columns; -1 is a run-time batch)");
    return ok;
  }
};

// A matrix product whose inner sizes differ.
template <class Left, class Right>
struct matmul_sizes_match;
template <int R1, int C1, int R2, int C2>
struct matmul_sizes_match<shape<R1, C1>, shape<R2, C2>> {
  static constexpr bool check() {
    constexpr bool ok = C1 == R2;
    static_assert(ok,
                  "tapeless: matmul: the left operand's column count differs from the right "
                  "operand's row count; both shapes are listed in this check (rows, columns)");
    return ok;
  }
};

// transpose and reshape move rows into columns, and a column count is never
// a run-time size.
template <class Op, class Shape>
struct shape_is_static;
template <class Op, int R, int C>
struct shape_is_static<Op, shape<R, C>> {
  static constexpr bool check() {
    constexpr bool ok = R != -1;
    static_assert(ok,
                  "tapeless: transpose or reshape: the operand's row count is a run-time batch, "
                  "and only expressions of a static shape can be transposed or reshaped; the "
                  "operation and the shape are listed in this check");
    return ok;
  }
};

template <class Leaf, bool Ok>
struct hessian_shape_is_static {
  static constexpr bool check() {
    static_assert(Ok,
                  "tapeless: hessian: the variable listed in this check has a run-time batch, so "
                  "its Hessian has a run-time size; declare the variable with a fixed batch "
                  "(tl::variable<Tag, S, Features, Batch>)");
    return Ok;
  }
};

template <class... MixingOps>
struct jacobian_keeps_examples_apart {
  static constexpr bool check() {
    constexpr bool ok = sizeof...(MixingOps) == 0;
    static_assert(ok,
                  "tapeless: jacobian: the expression mixes the examples of the batch through the "
                  "reductions listed in this check, so one example's outputs depend on other "
                  "examples' inputs and there is no per-example Jacobian; differentiate each "
                  "example separately, or use tl::jvp");
    return ok;
  }
};

template <class From, class To>
struct reshape_keeps_size;
template <int R1, int C1, int R2, int C2>
struct reshape_keeps_size<shape<R1, C1>, shape<R2, C2>> {
  static constexpr bool check() {
    constexpr bool ok = R1 * C1 == R2 * C2;
    static_assert(ok,
                  "tapeless: reshape: the new shape has another number of elements than the "
                  "operand; both shapes are listed in this check (rows, columns)");
    return ok;
  }
};

template <class Shape>
struct broadcast_operand_is_a_row;
template <int R, int C>
struct broadcast_operand_is_a_row<shape<R, C>> {
  static constexpr bool check() {
    constexpr bool ok = R == 1;
    static_assert(ok,
                  "tapeless: broadcast_rows: the operand to broadcast must be one row, 1 x C; "
                  "its shape is listed in this check");
    return ok;
  }
};

template <class Shape, int First, int Count>
struct slice_is_inside;
template <int R, int C, int First, int Count>
struct slice_is_inside<shape<R, C>, First, Count> {
  static constexpr bool check() {
    constexpr bool ok = First >= 0 && Count > 0 && First + Count <= C;
    static_assert(ok,
                  "tapeless: slice: the columns asked for are not all inside the operand; its "
                  "shape, the first column and the count are listed in this check");
    return ok;
  }
};

// with_weights: an expression given for a layer's weight or bias.
template <class Layer, class Expected, class Found>
struct computed_weights_match;
template <class Layer, int R1, int C1, int R2, int C2>
struct computed_weights_match<Layer, shape<R1, C1>, shape<R2, C2>> {
  static constexpr bool check() {
    constexpr bool ok = R1 == R2 && C1 == C2;
    static_assert(ok,
                  "tapeless: with_weights: an expression given for a layer's weight or bias has "
                  "another shape than the layer's parameter; the layer, the expected and the "
                  "given shape are listed in this check (rows, columns)");
    return ok;
  }
};

template <class Model, class Expected, class Found>
struct computed_weights_cover_layers;
template <class Model, int E, int F>
struct computed_weights_cover_layers<Model, expected<E>, found<F>> {
  static constexpr bool check() {
    constexpr bool ok = E == F;
    static_assert(ok,
                  "tapeless: with_weights: a model takes a weight and a bias expression for each "
                  "of its layers, in layer order; the model, the expected and the given number of "
                  "expressions are listed in this check");
    return ok;
  }
};

// Class labels are one column, a class index per row.
template <class Labels, int Columns>
struct labels_are_one_column {
  static constexpr bool check() {
    constexpr bool ok = Columns == 1;
    static_assert(ok,
                  "tapeless: class-label loss: the labels listed in this check have more than one "
                  "column; give one class index per row, or use softmax_cross_entropy for one-hot "
                  "targets");
    return ok;
  }
};

// A residual block y = x + f(x) adds f's output to its input: f gives as
// many features as it takes.
template <class Block, class Expected, class Found>
struct residual_widths_match;
template <class Block, int E, int F>
struct residual_widths_match<Block, expected<E>, found<F>> {
  static constexpr bool check() {
    constexpr bool ok = E == F;
    static_assert(ok,
                  "tapeless: residual: the block's output has another number of features than "
                  "its input, so x + f(x) is not defined; the block, the input's and the "
                  "output's feature counts are listed in this check; give the block as many "
                  "outputs as inputs");
    return ok;
  }
};

// dropout's drop probability, a std::ratio, is in [0, 1).
template <class Probability, bool Ok>
struct drop_probability_is_valid {
  static constexpr bool check() {
    static_assert(Ok,
                  "tapeless: dropout: the drop probability listed in this check must be at least 0 "
                  "and below 1; give a std::ratio such as std::ratio<1, 2>");
    return Ok;
  }
};

// ---- gradient requests -----------------------------------------------------

template <class Shape>
struct loss_is_scalar;
template <int R, int C>
struct loss_is_scalar<shape<R, C>> {
  static constexpr bool check() {
    constexpr bool ok = R == 1 && C == 1;
    static_assert(
        ok,
        "tapeless: gradient request: the loss must be a scalar (a 1x1 expression) and this "
        "one has the shape listed in this check; reduce it with tl::sum or tl::mean");
    return ok;
  }
};

template <class Argument, bool Differentiable>
struct argument_is_differentiable {
  static constexpr bool check() {
    constexpr bool ok = Differentiable;
    static_assert(
        ok,
        "tapeless: gradient request: the argument listed in this check is not a parameter, "
        "a layer, a model or a tl::variable, so there is nothing to differentiate with "
        "respect to; a tl::input is data: declare it with tl::variable instead");
    return ok;
  }
};

template <class... Parameters>
struct requested_parameters_are_trainable {
  static constexpr bool check() {
    constexpr bool ok = sizeof...(Parameters) == 0;
    static_assert(ok,
                  "tapeless: gradient request: the parameters listed in this check are frozen, so "
                  "they have no gradient: their layer is declared Frozen in the model's type; "
                  "remove them from the request, or declare the layer without Frozen");
    return ok;
  }
};

// The culprits of the checks below, in the asserted condition too: clang
// prints the condition on the error's own line and g++ in the note right
// under it, so the parameters are where a reader looks first.
template <class... Culprits>
struct unused {
  static constexpr bool none = sizeof...(Culprits) == 0;
};
template <class... Culprits>
struct stopped {
  static constexpr bool none = sizeof...(Culprits) == 0;
};
template <class... Culprits>
struct cut_off {
  static constexpr bool none = sizeof...(Culprits) == 0;
};
template <class... Parameters>
struct loss_uses_parameters {
  static constexpr bool check() {
    static_assert(unused<Parameters...>::none,
                  "tapeless: gradient request: the loss does not depend on the parameters listed "
                  "in this check because it does not use them at all; remove them from the "
                  "request, or pass tl::unconnected_as_zero first to get zero gradients for them");
    return unused<Parameters...>::none;
  }
};

// The same, when the loss reads a model of the same shapes (Suggestion is
// did_you_mean<tag...>): most often the requested model got that one's
// values by copy_values_from, which makes no dependency.
template <class Suggestion, class... Parameters>
struct loss_uses_parameters_not_a_twin {
  static constexpr bool check() {
    static_assert(
        unused<Suggestion, Parameters...>::none,
        "tapeless: gradient request: the loss does not use the parameters listed in this check, "
        "but it uses a model with the same layer shapes, listed in did_you_mean<...>, and a copy "
        "of its values (copy_values_from) is not a dependency; request that model instead, or "
        "build the loss from the requested one, or make the dependency real by computing the "
        "requested model's weights from that model's: "
        "requested_model_type::with_weights(f(m.layer<0>().weight), m.layer<0>().bias, ...)");
    return unused<Suggestion, Parameters...>::none;
  }
};

template <class... Parameters>
struct loss_uses_parameters_past_stop_gradient {
  static constexpr bool check() {
    static_assert(
        stopped<Parameters...>::none,
        "tapeless: gradient request: the loss does not depend on the parameters listed in "
        "this check because every path from them to the loss passes through "
        "stop_gradient; remove them from the request, or pass tl::unconnected_as_zero "
        "first to get zero gradients for them");
    return stopped<Parameters...>::none;
  }
};

// The same with no stop_gradient on the way: every path enters an op through
// an operand that op gives no gradient to.
template <class... Parameters>
struct loss_uses_parameters_past_operands_without_gradient {
  static constexpr bool check() {
    static_assert(
        cut_off<Parameters...>::none,
        "tapeless: gradient request: the loss does not depend on the parameters listed in "
        "this check because every path from them to the loss enters an op through an operand "
        "that takes no gradient (an Embedding's ids, class labels, or in a second derivative "
        "relu's step); tl::explain names those ops; remove them from the request, or pass "
        "tl::unconnected_as_zero first to get zero gradients for them");
    return cut_off<Parameters...>::none;
  }
};

template <class Parameter, bool Requested>
struct gradient_was_requested {
  static constexpr bool check() {
    constexpr bool ok = Requested;
    static_assert(
        ok,
        "tapeless: reading a gradient: the parameter or variable listed in this check was not "
        "part of the gradient request; add it to the tl::gradient call");
    return ok;
  }
};

// ---- inspecting -------------------------------------------------------------

template <class Scalar>
struct gradient_check_is_in_double {
  static constexpr bool check() {
    constexpr bool ok = std::is_same_v<Scalar, double>;
    static_assert(ok,
                  "tapeless: check_gradients: the loss's scalar type, listed in this check, is "
                  "not double; build the graph in double to check it, float's rounding would "
                  "swamp the differences");
    return ok;
  }
};

template <class... Objects>
struct checked_objects_are_mutable {
  static constexpr bool check() {
    constexpr bool ok = sizeof...(Objects) == 0;
    static_assert(ok,
                  "tapeless: check_gradients: the objects listed in this check are const, and "
                  "checking perturbs their parameters and restores them; pass modifiable objects");
    return ok;
  }
};

// ---- training ---------------------------------------------------------------

template <class... Parameters>
struct optimizer_parameters_are_distinct {
  static constexpr bool check() {
    constexpr bool ok = sizeof...(Parameters) == 0;
    static_assert(
        ok,
        "tapeless: make_optimizer: the parameters listed in this check would be updated twice "
        "per step, because their model is passed twice or two models share a tag; pass each "
        "model once");
    return ok;
  }
};

// An optimizer's step and clip_grad_norm read the gradients of one loss; a
// program of several (tl::gradients, Losses of them) holds one part per loss.
template <std::size_t Losses>
struct gradients_are_of_one_loss {
  static constexpr bool check() {
    constexpr bool ok = Losses == 1;
    static_assert(ok,
                  "tapeless: optimizer step or clip_grad_norm: the program computes the gradients "
                  "of several losses (tl::gradients, their number is in this check) and this "
                  "reads those of one; pass the part of the loss the optimizer or the clipping "
                  "is for: step.part<I>(), or auto& [d, g] = step(feeds...)");
    return ok;
  }
};

template <class Managed, class Request, bool AnyMatch>
struct gradients_match_optimizer {
  static constexpr bool check() {
    constexpr bool ok = AnyMatch;
    static_assert(
        ok,
        "tapeless: optimizer step: none of the gradients is for a parameter of this "
        "optimizer, so the step would change nothing; the optimizer's parameters and the "
        "gradient request are listed in this check: step the optimizer made for the requested "
        "models, or request the gradient of this optimizer's models");
    return ok;
  }
};

template <class Parameters, class Request, bool AnyMatch>
struct gradients_match_clipped_models {
  static constexpr bool check() {
    constexpr bool ok = AnyMatch;
    static_assert(
        ok,
        "tapeless: clip_grad_norm: none of the gradients is for a parameter of the models given, "
        "so clipping would change nothing and the norm would be 0; the models' parameters and "
        "the gradient request are listed in this check: pass the models the gradient was "
        "requested for, or request the gradient of these models");
    return ok;
  }
};

// ---- files --------------------------------------------------------------------

template <class Scalar, bool Supported>
struct checkpoint_scalar_is_supported {
  static constexpr bool check() {
    constexpr bool ok = Supported;
    static_assert(ok,
                  "tapeless: checkpoint: the tensor scalar type listed in this check is not "
                  "float, double or std::int64_t; store the tensor as one of these");
    return ok;
  }
};

template <class... Objects>
struct loaded_objects_are_mutable {
  static constexpr bool check() {
    constexpr bool ok = sizeof...(Objects) == 0;
    static_assert(ok,
                  "tapeless: load: the objects listed in this check are const, and loading "
                  "writes into them; pass modifiable objects");
    return ok;
  }
};

// ---- running programs ------------------------------------------------------

template <class Shape>
struct read_value_is_scalar;
template <int R, int C>
struct read_value_is_scalar<shape<R, C>> {
  static constexpr bool check() {
    constexpr bool ok = R == 1 && C == 1;
    static_assert(ok,
                  "tapeless: reading loss: the program's expression is not 1x1, its shape is "
                  "listed in this check; read value for the matrix, or reduce the expression "
                  "with tl::sum or tl::mean");
    return ok;
  }
};

template <class... Inputs>
struct every_input_is_fed {
  static constexpr bool check() {
    constexpr bool ok = sizeof...(Inputs) == 0;
    static_assert(ok,
                  "tapeless: running a program: the expression reads the inputs listed in this "
                  "check but they were not fed; pass tl::feed(input, data) for each");
    return ok;
  }
};

template <class... Inputs>
struct every_feed_is_used {
  static constexpr bool check() {
    constexpr bool ok = sizeof...(Inputs) == 0;
    static_assert(
        ok,
        "tapeless: running a program: the inputs listed in this check were fed but the "
        "expression does not read them, or were fed twice; feed each input it reads once");
    return ok;
  }
};

// Data that a feed cannot read in place when the program runs.
template <class Input, class Data, bool Stored>
struct feed_data_is_stored {
  static constexpr bool check() {
    static_assert(Stored,
                  "tapeless: feed: the data listed in this check is an Eigen expression, which "
                  "holds no values to read in place; evaluate it into a named matrix first, as "
                  "Eigen::MatrixXf scaled = 2 * X");
    return Stored;
  }
};
template <class Input, class Data, bool Outlives>
struct feed_data_outlives_the_run {
  static constexpr bool check() {
    static_assert(Outlives,
                  "tapeless: feed: the data listed in this check is a temporary matrix, and a "
                  "feed reads its data in place when the program runs, after the temporary is "
                  "gone; store it in a named matrix first");
    return Outlives;
  }
};

template <class Input, class DataScalar>
struct feed_scalar_matches {
  static constexpr bool check() {
    constexpr bool ok = std::is_same_v<typename Input::scalar, DataScalar>;
    static_assert(ok,
                  "tapeless: feed: the data's scalar type differs from the input's; the input and "
                  "the data's scalar type are listed in this check");
    return ok;
  }
};

template <class Input, class Found>
struct feed_columns_match;
template <class Input, int F>
struct feed_columns_match<Input, found<F>> {
  static constexpr bool check() {
    constexpr bool ok = F == -1 || F == Input::cols;
    static_assert(ok,
                  "tapeless: feed: the data's number of columns differs from the input's feature "
                  "count; the input and the data's column count are listed in this check");
    return ok;
  }
};

}  // namespace check
}  // namespace tapeless
