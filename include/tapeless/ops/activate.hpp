#pragma once

#include <string_view>

#include <tapeless/node/expr.hpp>
#include <tapeless/node/input.hpp>
#include <tapeless/node/shape.hpp>
#include <tapeless/ops/multiply.hpp>

namespace tapeless::ops {

// An activation whose derivative is itself an expression, so that a
// gradient through it can be differentiated again (tl::grad): slope(y)
// builds f'(x) from the node y = f(x) out of ops.
template <class A>
concept SlopedActivation = A::is_identity || requires(const input<struct any_node, float, 1>& y) {
  A::slope(y);
};

// dz = g * f'(y) for the activation's node y: the pullback through f.
template <class A, class Y, class G>
constexpr auto through_activation(const Y& y, const G& g) {
  if constexpr (A::is_identity)
    return g;
  else
    return make_expr(multiply{}, g, A::slope(y));
}

// An activation applied elementwise to an expression, y = f(x).
// Pullback: dx = g * f'(x), where the activation gives f'(x) from y alone, so
// that x need not be kept (the same rule serves the fused Dense op).
template <class Activation>
struct activate {
  static constexpr std::string_view name = Activation::name;
  using shape_rule = shape_rules::like_first;

  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    y.array() = Activation::apply(x.array());
  }

  template <class G, class Y, class X, class SX>
  void backward(G& g, const Y& y, const X&, SX sx) const {
    sx(g.array() * Activation::derivative(y.array()));
  }
  template <std::size_t, class Y, class G, SlopedActivation A = Activation>
  static constexpr auto vjp(const Y& y, const G& g) {
    return through_activation<A>(y, g);
  }
};

}  // namespace tapeless::ops

namespace tapeless::detail {

template <class Activation, Expression X>
constexpr auto activated(const X& x) {
  if constexpr (Activation::is_identity)
    return as_node(x);
  else
    return make_expr(ops::activate<Activation>{}, x);
}

}  // namespace tapeless::detail
