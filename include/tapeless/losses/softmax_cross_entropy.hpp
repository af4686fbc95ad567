#pragma once

#include <cmath>
#include <cstddef>
#include <ratio>
#include <type_traits>

#include <tapeless/detail/build.hpp>
#include <tapeless/node/shape.hpp>
#include <tapeless/ops/affine.hpp>
#include <tapeless/ops/multiply.hpp>
#include <tapeless/ops/reduce.hpp>
#include <tapeless/ops/softmax.hpp>
#include <tapeless/ops/subtract.hpp>
#include <tapeless/ops/sum_features.hpp>

namespace tapeless {
namespace ops {

// Mean over the batch of the cross-entropy between softmax(z) and targets t
// (one-hot rows, or any distributions), computed per row r through
// log-sum-exp so that large logits neither overflow nor lose precision:
//   lse_r = m_r + ln sum_j e^(z_rj - m_r),   m_r = max_j z_rj
//   y = (1/N) sum_r (lse_r sum_j t_rj - sum_j t_rj z_rj)
// Pullbacks, with p_r = e^(z_r - lse_r) = softmax(z_r):
//   dz_r = (g/N) (p_r sum_j t_rj - t_r),   dt_r = (g/N) (lse_r - z_r).
// lse_r is kept from the forward pass (one scratch column per row), so the
// backward pass reads z once more, for p_r, and computes no maximum.
struct softmax_cross_entropy {
  static constexpr std::string_view name = "softmax_cross_entropy";
  using shape_rule = shape_rules::scalar;
  static constexpr int scratch_cols = 1;

  template <class Y, class L, class Z, class T>
  void forward(Y& y, L& lse, const Z& z, const T& t) const {
    typename Y::Scalar total = 0;
    for (Eigen::Index r = 0; r < z.rows(); ++r) {
      lse(r, 0) = log_sum_exp(z.row(r));
      total += lse(r, 0) * t.row(r).sum() - t.row(r).dot(z.row(r));
    }
    y(0, 0) = total / static_cast<typename Y::Scalar>(z.rows());
  }
  template <class G, class Y, class L, class Z, class T, class SZ, class ST>
  void backward(G& g, const Y&, const L& lse, const Z& z, const T& t, SZ sz, ST st) const {
    const auto scale = g(0, 0) / static_cast<typename G::Scalar>(z.rows());
    for (Eigen::Index r = 0; r < z.rows(); ++r) {
      sz.row(r)(scale * ((z.row(r).array() - lse(r, 0)).exp() * t.row(r).sum() - t.row(r).array()));
      st.row(r)(scale * (lse(r, 0) - z.row(r).array()));
    }
  }
  // The same pullbacks as expressions (tl::grad), with g/N spread over z's
  // shape as spread_mean (which divides by N times the C columns) times C:
  //   dz = (g/N) (softmax(z) sum_j t_j - t),   dt = -(g/N) log_softmax(z).
  template <std::size_t J, class Y, class G>
  static constexpr auto vjp(const Y& y, const G& g) {
    const auto& z = tapeless::get<0>(y.children);
    const auto& t = tapeless::get<1>(y.children);
    constexpr std::intmax_t C = std::remove_cvref_t<decltype(z)>::cols;
    const auto g_over_n = make_expr(spread<true>{}, g, z);
    if constexpr (J == 0)
      return affine_of<std::ratio<C>>(make_expr(
          multiply{}, g_over_n,
          make_expr(subtract{},
                    make_expr(multiply{}, make_expr(softmax<false>{}, z),
                              make_expr(spread_features{}, make_expr(sum_features{}, t), z)),
                    t)));
    else
      return affine_of<std::ratio<-C>>(
          make_expr(multiply{}, g_over_n, make_expr(softmax<true>{}, z)));
  }
};

}  // namespace ops

// The usual classification loss: `logits` are unnormalised scores, `targets`
// one-hot rows (or probabilities) of the same shape.
template <Expression Z, Expression T>
constexpr auto softmax_cross_entropy(const Z& logits, const T& targets) {
  return detail::elementwise<ops::softmax_cross_entropy>(logits, targets);
}

}  // namespace tapeless
