#pragma once

#include <cstddef>
#include <ratio>

#include <tapeless/activations/sigmoid.hpp>
#include <tapeless/node/expr.hpp>
#include <tapeless/node/shape.hpp>
#include <tapeless/ops/add.hpp>
#include <tapeless/ops/affine.hpp>
#include <tapeless/ops/multiply.hpp>

namespace tapeless {
namespace ops {

// SiLU (swish): y = x sigmoid(x);  with s = sigmoid(x): dx = g (s + y (1 - s)).
// An op, not an activation: its derivative needs x, not y alone.
struct silu {
  static constexpr std::string_view name = "silu";
  using shape_rule = shape_rules::like_first;

  template <class X>
  static auto sigmoid(const X& x) {
    using S = typename X::Scalar;
    return S(1) / (S(1) + (-x).exp());
  }
  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    y.array() = x.array() * sigmoid(x.array());
  }
  template <class G, class Y, class X, class SX>
  void backward(G& g, const Y& y, const X& x, SX sx) const {
    using S = typename G::Scalar;
    const auto s = sigmoid(x.array());
    sx(g.array() * (s + y.array() * (S(1) - s)));
  }
  // The same pullback as an expression (tl::grad).
  template <std::size_t, class Y, class G>
  static constexpr auto vjp(const Y& y, const G& g) {
    const auto s = tapeless::sigmoid(tapeless::get<0>(y.children));
    return make_expr(
        multiply{}, g,
        make_expr(add{}, s, make_expr(multiply{}, y, affine_of<std::ratio<-1>, std::ratio<1>>(s))));
  }
};

}  // namespace ops

template <Expression X>
constexpr auto silu(const X& x) {
  return make_expr(ops::silu{}, x);
}

}  // namespace tapeless
