#pragma once

#include <tapeless/node/expr.hpp>
#include <tapeless/node/shape.hpp>

namespace tapeless {
namespace ops {

// y = (1/n) sum_ij x_ij over the n elements (1x1);  dx_ij = g / n.
// n is read at run time, so a dynamic batch is averaged over its real size.
struct mean {
  static constexpr std::string_view name = "mean";
  using shape_rule = shape_rules::scalar;

  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    y(0, 0) = x.mean();
  }
  template <class G, class Y, class X, class SX>
  void backward(G& g, const Y&, const X& x, SX sx) const {
    sx.fill(g(0, 0) / static_cast<typename G::Scalar>(x.size()));
  }
};

}  // namespace ops

template <Expression X>
constexpr auto mean(const X& x) {
  return make_expr(ops::mean{}, x);
}

}  // namespace tapeless
