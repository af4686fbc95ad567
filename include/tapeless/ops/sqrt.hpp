#pragma once

#include <cstddef>
#include <ratio>

#include <tapeless/node/expr.hpp>
#include <tapeless/node/shape.hpp>
#include <tapeless/ops/affine.hpp>
#include <tapeless/ops/divide.hpp>

namespace tapeless {
namespace ops {

// y = sqrt(x);  dx = g / (2 y) (infinite at x = 0, as in every framework).
struct sqrt {
  static constexpr std::string_view name = "sqrt";
  using shape_rule = shape_rules::like_first;

  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    y.array() = x.array().sqrt();
  }
  template <class G, class Y, class X, class SX>
  void backward(G& g, const Y& y, const X&, SX sx) const {
    sx(g.array() / (typename G::Scalar(2) * y.array()));
  }
  template <std::size_t, class Y, class G>
  static constexpr auto vjp(const Y& y, const G& g) {
    return affine_of<std::ratio<1, 2>>(make_expr(divide{}, g, y));
  }
};

}  // namespace ops

template <Expression X>
constexpr auto sqrt(const X& x) {
  return make_expr(ops::sqrt{}, x);
}

}  // namespace tapeless
