#pragma once

#include <cstddef>
#include <ratio>

#include <tapeless/activations/sigmoid.hpp>
#include <tapeless/detail/build.hpp>
#include <tapeless/node/shape.hpp>
#include <tapeless/ops/affine.hpp>
#include <tapeless/ops/multiply.hpp>
#include <tapeless/ops/reduce.hpp>
#include <tapeless/ops/subtract.hpp>

namespace tapeless {
namespace ops {

// Binary cross-entropy of logits z against targets t in [0, 1], the mean
// over all n elements (PyTorch's BCEWithLogitsLoss, reduction 'mean'):
//   y = (1/n) sum max(z, 0) - z t + ln(1 + e^-|z|)
// which equals -(t ln s + (1 - t) ln(1 - s)), s = sigmoid(z), and neither
// overflows nor loses precision for large |z|.
//   dz = (g/n) (s - t),   dt = -(g/n) z.
struct binary_cross_entropy {
  static constexpr std::string_view name = "binary_cross_entropy_with_logits";
  using shape_rule = shape_rules::scalar;

  template <class Y, class Z, class T>
  void forward(Y& y, const Z& z, const T& t) const {
    using S = typename Y::Scalar;
    y(0, 0) =
        (z.array().max(S(0)) - z.array() * t.array() + (-z.array().abs()).exp().log1p()).sum() /
        static_cast<S>(z.size());
  }
  template <class G, class Y, class Z, class T, class SZ, class ST>
  void backward(G& g, const Y&, const Z& z, const T& t, SZ sz, ST st) const {
    using S = typename G::Scalar;
    const S scale = g(0, 0) / static_cast<S>(z.size());
    sz(scale * (S(1) / (S(1) + (-z.array()).exp()) - t.array()));
    st(-scale * z.array());
  }
  // The same pullbacks as expressions (tl::grad), g/n spread over z's shape.
  template <std::size_t J, class Y, class G>
  static constexpr auto vjp(const Y& y, const G& g) {
    const auto& z = tapeless::get<0>(y.children);
    const auto g_over_n = make_expr(spread<true>{}, g, z);
    if constexpr (J == 0)
      return make_expr(multiply{}, g_over_n,
                       make_expr(subtract{}, tapeless::sigmoid(z), tapeless::get<1>(y.children)));
    else
      return affine_of<std::ratio<-1>>(make_expr(multiply{}, g_over_n, z));
  }
};

}  // namespace ops

// Binary cross-entropy of logits against targets in [0, 1] of the same
// shape, the mean over all elements; stable for large |logits|.
template <Expression Z, Expression T>
constexpr auto binary_cross_entropy_with_logits(const Z& logits, const T& targets) {
  return detail::elementwise<ops::binary_cross_entropy>(logits, targets);
}

}  // namespace tapeless
