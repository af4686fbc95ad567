#pragma once

#include <cmath>
#include <string_view>
#include <utility>

#include <Eigen/Core>

#include <tapeless/node/shape.hpp>

namespace tapeless::ops {

// Layer normalisation of each row x (N features) with gain g and bias b
// (1 x N each), as Ba, Kiros and Hinton (2016) and PyTorch's LayerNorm:
//   mu = mean(x),  var = mean((x - mu)^2),  r = 1 / sqrt(var + eps)
//   xh = (x - mu) r,  y = g * xh + b   (elementwise)
// Pullbacks, with gy the row's upstream gradient and means over features:
//   db = sum over rows of gy,   dg = sum over rows of gy * xh
//   dxh = gy * g,   dx = r (dxh - mean(dxh) - xh mean(dxh * xh))
// mu and r are recomputed in the reverse sweep from x (one more pass over
// the row, no per-node scratch storage, no allocation).
struct layer_norm {
  static constexpr std::string_view name = "LayerNorm";
  static constexpr double epsilon = 1e-5;  // PyTorch's default
  using shape_rule = shape_rules::like_first;

  template <class Row>
  static auto normalised(const Row& x) {
    using S = typename Row::Scalar;
    const S mu = x.mean();
    const S r = S(1) / std::sqrt((x.array() - mu).square().mean() + S(epsilon));
    return std::pair{((x.array() - mu) * r).eval(), r};
  }

  template <class Y, class X, class G, class B>
  void forward(Y& y, const X& x, const G& g, const B& b) const {
    for (Eigen::Index i = 0; i < x.rows(); ++i)
      y.row(i).array() = normalised(x.row(i)).first * g.array() + b.array();
  }

  template <class Gy, class Y, class X, class G, class B, class SX, class SG, class SB>
  void backward(Gy& gy, const Y&, const X& x, const G& g, const B&, SX sx, SG sg, SB sb) const {
    using S = typename Gy::Scalar;
    Eigen::Matrix<S, 1, G::ColsAtCompileTime> dg =
        Eigen::Matrix<S, 1, G::ColsAtCompileTime>::Zero(1, g.cols());
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      const auto [xh, r] = normalised(x.row(i));
      const auto row = gy.row(i).array();
      if constexpr (SG::active) dg.array() += row * xh;
      if constexpr (SX::active) {
        const auto dxh = (row * g.array()).eval();
        sx.row(i)(r * (dxh - dxh.mean() - xh * (dxh * xh).mean()));
      }
    }
    sg(dg);
    sb(gy.colwise().sum());
  }
};

}  // namespace tapeless::ops
