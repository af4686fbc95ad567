#pragma once

#include <tapeless/node/expr.hpp>
#include <tapeless/node/shape.hpp>

namespace tapeless {
namespace ops {

// y = sum_ij x_ij (1x1);  dx_ij = g.
struct sum {
  static constexpr std::string_view name = "sum";
  using shape_rule = shape_rules::scalar;

  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    y(0, 0) = x.sum();
  }
  template <class G, class Y, class X, class SX>
  void backward(G& g, const Y&, const X&, SX sx) const {
    sx.fill(g(0, 0));
  }
};

}  // namespace ops

template <Expression X>
constexpr auto sum(const X& x) {
  return make_expr(ops::sum{}, x);
}

}  // namespace tapeless
