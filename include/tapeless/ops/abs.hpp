#pragma once

#include <tapeless/node/expr.hpp>
#include <tapeless/node/shape.hpp>
#include <tapeless/ops/multiply.hpp>
#include <tapeless/ops/step.hpp>

namespace tapeless {
namespace ops {

// y = |x|;  dx = sign(x) g, with sign(0) = 0 (the subgradient PyTorch and
// JAX use), so an L1 penalty leaves parameters at exactly 0 where they are.
struct abs {
  static constexpr std::string_view name = "abs";
  using shape_rule = shape_rules::like_first;

  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    y.array() = x.array().abs();
  }
  template <class G, class Y, class X, class SX>
  void backward(G& g, const Y&, const X& x, SX sx) const {
    sx(x.array().sign() * g.array());
  }
  template <std::size_t, class Y, class G>
  static constexpr auto vjp(const Y& y, const G& g) {
    return make_expr(multiply{}, make_expr(sign{}, tapeless::get<0>(y.children)), g);
  }
};

}  // namespace ops

template <Expression X>
constexpr auto abs(const X& x) {
  return make_expr(ops::abs{}, x);
}

}  // namespace tapeless
