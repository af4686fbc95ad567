#pragma once

#include <concepts>
#include <string_view>

#include <Eigen/Core>

// The Op and Activation extension points (docs/extending.md): what an
// expression node's operation and a layer's activation must provide. What
// the concepts cannot see without the operands' value types (forward's and
// backward's exact signatures) is checked when a program instantiates them.
namespace tapeless {

// An operation on `Operands...` (node types): a name for messages, and a
// shape rule giving the result's static shape (and its run-time rows,
// runtime_rows(name, operand rows...), where an operand's are dynamic).
// Besides: forward(y, operand values...) and backward(g, y, operand
// values..., one sink per operand) (kernels/sink.hpp), and optionally
// blocks_gradient, forwards_value, differentiable(j), shape_only(j),
// scratch_cols or one_node_per_type (graph/dag.hpp).
template <class Op, class... Operands>
concept Operation = requires {
  { Op::name } -> std::convertible_to<std::string_view>;
  { Op::shape_rule::template of<Operands...>::rows } -> std::convertible_to<int>;
  { Op::shape_rule::template of<Operands...>::cols } -> std::convertible_to<int>;
};

// An elementwise activation f, given to Dense or used by tl::relu and the
// like: a name, is_identity, apply(x) on an Eigen array expression, and
// unless it is the identity, derivative(y): f'(x) from y = f(x) alone.
template <class A>
concept Activation = requires(const Eigen::Array<float, 2, 2>& a) {
  { A::name } -> std::convertible_to<std::string_view>;
  { A::is_identity } -> std::convertible_to<bool>;
  A::apply(a);
  requires A::is_identity || requires { A::derivative(a); };
};

}  // namespace tapeless
