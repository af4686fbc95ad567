#pragma once

#include <tapeless/node/expr.hpp>
#include <tapeless/node/shape.hpp>
#include <tapeless/ops/affine.hpp>
#include <tapeless/ops/multiply.hpp>

namespace tapeless {
namespace ops {

// y = x^2;  dx = 2 x g.
struct square {
  static constexpr std::string_view name = "square";
  using shape_rule = shape_rules::like_first;

  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    y.array() = x.array().square();
  }
  template <class G, class Y, class X, class SX>
  void backward(G& g, const Y&, const X& x, SX sx) const {
    sx(typename G::Scalar(2) * x.array() * g.array());
  }
  template <std::size_t, class Y, class G>
  static constexpr auto vjp(const Y& y, const G& g) {
    return affine_of<std::ratio<2>>(make_expr(multiply{}, tapeless::get<0>(y.children), g));
  }
};

}  // namespace ops

template <Expression X>
constexpr auto square(const X& x) {
  return make_expr(ops::square{}, x);
}

}  // namespace tapeless
