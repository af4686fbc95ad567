#pragma once

#include <cstddef>

#include <tapeless/detail/build.hpp>
#include <tapeless/node/shape.hpp>
#include <tapeless/ops/affine.hpp>
#include <tapeless/ops/multiply.hpp>

namespace tapeless {
namespace ops {

// y = a / b elementwise;  da = g / b, db = -g a / b^2 = -(g y) / b.
struct divide {
  static constexpr std::string_view name = "operator/";
  using shape_rule = shape_rules::elementwise;

  template <class Y, class A, class B>
  void forward(Y& y, const A& a, const B& b) const {
    y.array() = a.array() / b.array();
  }
  template <class G, class Y, class A, class B, class SA, class SB>
  void backward(G& g, const Y& y, const A&, const B& b, SA sa, SB sb) const {
    sa(g.array() / b.array());
    sb(-(g.array() * y.array()) / b.array());
  }
  template <std::size_t J, class Y, class G>
  static constexpr auto vjp(const Y& y, const G& g) {
    const auto& b = tapeless::get<1>(y.children);
    if constexpr (J == 0)
      return make_expr(divide{}, g, b);
    else
      return affine_of<std::ratio<-1>>(make_expr(divide{}, make_expr(multiply{}, g, y), b));
  }
};

}  // namespace ops

template <Expression A, Expression B>
constexpr auto operator/(const A& a, const B& b) {
  return detail::elementwise<ops::divide>(a, b);
}

}  // namespace tapeless
