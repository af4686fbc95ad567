#pragma once

#include <tapeless/node/expr.hpp>
#include <tapeless/node/shape.hpp>
#include <tapeless/ops/multiply.hpp>

namespace tapeless {
namespace ops {

// y = e^x;  dx = y g.
struct exp {
  static constexpr std::string_view name = "exp";
  using shape_rule = shape_rules::like_first;

  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    y.array() = x.array().exp();
  }
  template <class G, class Y, class X, class SX>
  void backward(G& g, const Y& y, const X&, SX sx) const {
    sx(y.array() * g.array());
  }
  template <std::size_t, class Y, class G>
  static constexpr auto vjp(const Y& y, const G& g) {
    return make_expr(multiply{}, y, g);
  }
};

}  // namespace ops

template <Expression X>
constexpr auto exp(const X& x) {
  return make_expr(ops::exp{}, x);
}

}  // namespace tapeless
