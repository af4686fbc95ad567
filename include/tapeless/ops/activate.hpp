#pragma once

#include <string_view>

#include <tapeless/node/expr.hpp>
#include <tapeless/node/shape.hpp>

namespace tapeless::ops {

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
