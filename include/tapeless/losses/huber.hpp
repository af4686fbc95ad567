#pragma once

#include <cstddef>
#include <ratio>

#include <tapeless/detail/build.hpp>
#include <tapeless/node/shape.hpp>
#include <tapeless/ops/affine.hpp>
#include <tapeless/ops/clamp.hpp>
#include <tapeless/ops/multiply.hpp>
#include <tapeless/ops/reduce.hpp>
#include <tapeless/ops/subtract.hpp>

namespace tapeless {
namespace ops {

// The Huber loss of y against t, the mean over all n elements (PyTorch's
// HuberLoss, reduction 'mean'): with d = y - t,
//   h(d) = d^2 / 2 where |d| <= delta, delta (|d| - delta / 2) beyond;
//   dy = (g/n) clamp(d, -delta, delta),   dt = -dy.
// It carries delta, a run-time number: its node is told apart by position.
template <class S>
struct huber {
  static constexpr std::string_view name = "huber";
  using shape_rule = shape_rules::scalar;
  S delta;

  template <class Y, class A, class B>
  void forward(Y& y, const A& a, const B& b) const {
    const auto d = (a - b).array().abs();
    y(0, 0) = (d <= delta).select(S(0.5) * d.square(), delta * (d - S(0.5) * delta)).sum() /
              static_cast<S>(a.size());
  }
  template <class G, class Y, class A, class B, class SA, class SB>
  void backward(G& g, const Y&, const A& a, const B& b, SA sa, SB sb) const {
    const S scale = g(0, 0) / static_cast<S>(a.size());
    sa(scale * (a - b).array().max(-delta).min(delta));
    sb(-scale * (a - b).array().max(-delta).min(delta));
  }
  // The same pullbacks as expressions (tl::grad), g/n spread over y's shape.
  template <std::size_t J, class Y, class G>
  static constexpr auto vjp(const Y& y, const G& g) {
    const auto& a = tapeless::get<0>(y.children);
    const auto d = make_expr(multiply{}, make_expr(spread<true>{}, g, a),
                             make_expr(clamp<S>{-y.op.delta, y.op.delta},
                                       make_expr(subtract{}, a, tapeless::get<1>(y.children))));
    if constexpr (J == 0)
      return d;
    else
      return affine_of<std::ratio<-1>>(d);
  }
};

}  // namespace ops

// The Huber loss (smooth L1 scaled by delta), the mean over all elements;
// quadratic within delta of the target, linear beyond. y and t have one
// shape; delta > 0 (1, PyTorch's default).
template <Expression Y, Expression T>
constexpr auto huber(const Y& y, const T& t, typename Y::scalar delta = 1) {
  return detail::elementwise(ops::huber<typename Y::scalar>{delta}, y, t);
}

}  // namespace tapeless
