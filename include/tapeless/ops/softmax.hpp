#pragma once

#include <cmath>
#include <cstddef>

#include <tapeless/node/expr.hpp>
#include <tapeless/node/shape.hpp>
#include <tapeless/ops/exp.hpp>
#include <tapeless/ops/multiply.hpp>
#include <tapeless/ops/subtract.hpp>
#include <tapeless/ops/sum_features.hpp>

namespace tapeless {
namespace ops {

// ln sum_j e^(z_j) of a row, through its maximum m: m + ln sum_j e^(z_j - m),
// so that large entries neither overflow nor lose precision.
template <class Row>
auto log_sum_exp(const Row& z) {
  const auto m = z.maxCoeff();
  return m + std::log((z.array() - m).exp().sum());
}

// Along the features of each row, through the row's maximum m so that
// large inputs neither overflow nor lose precision:
//   softmax:      y = e^(x - m) / sum e^(x - m);   dx = y (g - sum(g y))
//   log_softmax:  y = x - lse,  lse = m + ln sum e^(x - m);
//                 dx = g - e^y sum(g)
// (sums over the row's features).
template <bool Log>
struct softmax {
  static constexpr std::string_view name = Log ? "log_softmax" : "softmax";
  using shape_rule = shape_rules::like_first;

  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      if constexpr (Log) {
        y.row(i).array() = x.row(i).array() - log_sum_exp(x.row(i));
      } else {
        y.row(i).array() = (x.row(i).array() - x.row(i).maxCoeff()).exp();
        y.row(i) /= y.row(i).sum();
      }
    }
  }
  template <class G, class Y, class X, class SX>
  void backward(G& g, const Y& y, const X&, SX sx) const {
    for (Eigen::Index i = 0; i < g.rows(); ++i) {
      if constexpr (Log)
        sx.row(i)(g.row(i).array() - y.row(i).array().exp() * g.row(i).sum());
      else
        sx.row(i)(y.row(i).array() * (g.row(i).array() - g.row(i).dot(y.row(i))));
    }
  }
  // The same pullbacks as expressions (tl::grad), the row sums through
  // sum_features and spread back over the row by spread_features.
  template <std::size_t, class Y, class G>
  static constexpr auto vjp(const Y& y, const G& g) {
    if constexpr (Log)
      return make_expr(subtract{}, g,
                       make_expr(multiply{}, make_expr(exp{}, y),
                                 make_expr(spread_features{}, make_expr(sum_features{}, g), y)));
    else
      return make_expr(
          multiply{}, y,
          make_expr(subtract{}, g,
                    make_expr(spread_features{},
                              make_expr(sum_features{}, make_expr(multiply{}, g, y)), y)));
  }
};

}  // namespace ops

// Softmax along the features of each row (stable for large inputs).
template <Expression X>
constexpr auto softmax(const X& x) {
  return make_expr(ops::softmax<false>{}, x);
}
// Log-softmax along the features of each row (stable for large inputs).
template <Expression X>
constexpr auto log_softmax(const X& x) {
  return make_expr(ops::softmax<true>{}, x);
}

}  // namespace tapeless
