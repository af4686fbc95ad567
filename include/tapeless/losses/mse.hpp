#pragma once

#include <tapeless/detail/build.hpp>
#include <tapeless/node/shape.hpp>
#include <tapeless/ops/affine.hpp>
#include <tapeless/ops/multiply.hpp>
#include <tapeless/ops/reduce.hpp>
#include <tapeless/ops/subtract.hpp>

namespace tapeless {
namespace ops {

// y = (1/n) sum_ij (a_ij - b_ij)^2 over the n elements (1x1);
// da = (2g/n) (a - b), db = -(2g/n) (a - b).
// One node instead of the composition mean(square(a - b)): one pass over
// the operands each way and no intermediate storage, as hand-written
// backprop computes it; n is read at run time (a dynamic batch).
struct mse {
  static constexpr std::string_view name = "mse";
  using shape_rule = shape_rules::scalar;

  template <class Y, class A, class B>
  void forward(Y& y, const A& a, const B& b) const {
    y(0, 0) = (a - b).squaredNorm() / static_cast<typename Y::Scalar>(a.size());
  }

  template <class G, class Y, class A, class B, class SA, class SB>
  void backward(G& g, const Y&, const A& a, const B& b, SA sa, SB sb) const {
    const auto scale = 2 * g(0, 0) / static_cast<typename G::Scalar>(a.size());
    sa(scale * (a - b));
    sb(-scale * (a - b));
  }
  // d/da = 2 spread_mean(g) (a - b), d/db its negative.
  template <std::size_t J, class Y, class G>
  static constexpr auto vjp(const Y& y, const G& g) {
    const auto& a = tapeless::get<0>(y.children);
    const auto& b = tapeless::get<1>(y.children);
    return affine_of<std::ratio<J == 0 ? 2 : -2>>(
        make_expr(multiply{}, make_expr(spread<true>{}, g, a), make_expr(subtract{}, a, b)));
  }
};

}  // namespace ops

// Mean squared error over all elements, mean((y - t)^2), as one fused node.
// y and t must have the same shape.
template <Expression Y, Expression T>
constexpr auto mse(const Y& y, const T& t) {
  return detail::elementwise<ops::mse>(y, t);
}

}  // namespace tapeless
