#pragma once

#include <cmath>
#include <numbers>

#include <tapeless/node/expr.hpp>
#include <tapeless/node/shape.hpp>

namespace tapeless {
namespace ops {

// GELU (Hendrycks & Gimpel 2016), y = x Phi(x), Phi the standard normal CDF.
// Exact: Phi(x) = (1 + erf(x / sqrt 2)) / 2, dy/dx = Phi(x) + x phi(x),
// phi(x) = e^(-x^2/2) / sqrt(2 pi). With Tanh (PyTorch's approximate='tanh'):
// Phi(x) ~ (1 + t) / 2, t = tanh(k (x + 0.044715 x^3)), k = sqrt(2 / pi),
// dy/dx = (1 + t) / 2 + x (1 - t^2) k (1 + 3 0.044715 x^2) / 2.
template <bool Tanh>
struct gelu {
  static constexpr std::string_view name = Tanh ? "gelu (tanh)" : "gelu";
  using shape_rule = shape_rules::like_first;

  template <class S>
  static constexpr S inv_sqrt2 = S(1) / std::numbers::sqrt2_v<S>;
  template <class S>
  static constexpr S k = std::numbers::sqrt2_v<S>* std::numbers::inv_sqrtpi_v<S>;
  template <class S>
  static constexpr S c = S(0.044715);

  template <class S>
  static S value(S x) {
    if constexpr (Tanh)
      return S(0.5) * x * (S(1) + std::tanh(k<S> * (x + c<S> * x * x * x)));
    else
      return S(0.5) * x * (S(1) + std::erf(x * inv_sqrt2<S>));
  }
  template <class S>
  static S slope(S x) {
    if constexpr (Tanh) {
      const S t = std::tanh(k<S> * (x + c<S> * x * x * x));
      return S(0.5) * (S(1) + t) +
             S(0.5) * x * (S(1) - t * t) * k<S> * (S(1) + S(3) * c<S> * x * x);
    } else {
      const S phi = std::exp(S(-0.5) * x * x) * std::numbers::inv_sqrtpi_v<S> * inv_sqrt2<S>;
      return S(0.5) * (S(1) + std::erf(x * inv_sqrt2<S>)) + x * phi;
    }
  }
  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    y = x.unaryExpr([](auto v) { return value(v); });
  }
  template <class G, class Y, class X, class SX>
  void backward(G& g, const Y&, const X& x, SX sx) const {
    sx(g.array() * x.unaryExpr([](auto v) { return slope(v); }).array());
  }
};

}  // namespace ops

// GELU, exact (erf), as PyTorch's default.
template <Expression X>
constexpr auto gelu(const X& x) {
  return make_expr(ops::gelu<false>{}, x);
}
// GELU with the tanh approximation, as PyTorch's approximate='tanh'.
template <Expression X>
constexpr auto gelu_tanh(const X& x) {
  return make_expr(ops::gelu<true>{}, x);
}

}  // namespace tapeless
