#pragma once

#include <cmath>
#include <stdexcept>
#include <string>
#include <string_view>

#include <tapeless/detail/build.hpp>
#include <tapeless/node/expr.hpp>
#include <tapeless/node/shape.hpp>
#include <tapeless/ops/multiply.hpp>
#include <tapeless/ops/step.hpp>

namespace tapeless {
namespace ops {

// y = min(max(x, lo), hi);  dx = g where lo <= x <= hi, 0 outside. The
// bounds themselves pass the gradient (as PyTorch's clamp does), so a value
// sitting exactly on a bound can still move back inside.
// It carries lo and hi, run-time numbers: its node is told apart by
// position (graph/dag.hpp), like scale's.
template <class S>
struct clamp {
  static constexpr std::string_view name = "clamp";
  using shape_rule = shape_rules::like_first;
  S lo, hi;

  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    y.array() = x.array().max(lo).min(hi);
  }
  template <class G, class Y, class X, class SX>
  void backward(G& g, const Y&, const X& x, SX sx) const {
    sx((x.array() >= lo && x.array() <= hi).select(g.array(), S(0)));
  }
  // The mask is piecewise constant (`inside`, no gradient through it), so
  // the second derivative is zero by structure, as for relu.
  template <std::size_t, class Y, class G>
  static constexpr auto vjp(const Y& y, const G& g) {
    return make_expr(multiply{}, g,
                     make_expr(inside<S>{y.op.lo, y.op.hi}, tapeless::get<0>(y.children)));
  }
};

}  // namespace ops

// Each element of x limited to [lo, hi]; the gradient is 0 where x is
// outside. lo <= hi, else std::invalid_argument (checked here, where the
// expression is built).
template <Expression X, detail::Arithmetic Lo, detail::Arithmetic Hi>
constexpr auto clamp(const X& x, Lo lo, Hi hi) {
  using S = typename X::scalar;
  const S l = static_cast<S>(lo), h = static_cast<S>(hi);
  if (!(l <= h))
    throw std::invalid_argument("tapeless: clamp: the bounds must satisfy lo <= hi; given lo = " +
                                std::to_string(l) + " and hi = " + std::to_string(h));
  return make_expr(ops::clamp<S>{l, h}, x);
}

}  // namespace tapeless
