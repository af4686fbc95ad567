#pragma once

#include <string_view>

#include <tapeless/kernels/broadcast.hpp>
#include <tapeless/kernels/product.hpp>
#include <tapeless/node/expr.hpp>
#include <tapeless/node/shape.hpp>
#include <tapeless/ops/activate.hpp>
#include <tapeless/ops/broadcast_rows.hpp>
#include <tapeless/ops/matmul.hpp>

namespace tapeless::ops {

// A Dense layer as one fused op on (x, W, b): y = f(x W + b), with x of
// shape (batch, in), W (in, out), b (1, out), broadcast over the rows.
// Fusing keeps one buffer per layer, as hand-written backprop does.
// Pullbacks, with gz = g * f'(y) (the activation gives f' from y):
//   dW = x^T gz,   db = sum over rows of gz,   dx = gz W^T.
// gz overwrites g in place: g is this node's own adjoint and nothing reads
// it after this node's pullback.
template <class Activation>
struct dense {
  static constexpr std::string_view name = "Dense layer";

  struct shape_rule {
    template <class X, class W, class B>
    struct of {
      static constexpr int rows = X::rows;
      static constexpr int cols = W::cols;
    };
    template <class... Index>
    static Eigen::Index runtime_rows(std::string_view, Eigen::Index x, Index...) {
      return x;
    }
  };

  template <class Y, class X, class W, class B>
  void forward(Y& y, const X& x, const W& w, const B& b) const {
    // The bias first, the product added to it: no zeroing pass.
    kernels::broadcast_row(y, b);
    kernels::product<true>(y, x, w);
    if constexpr (!Activation::is_identity) y.array() = Activation::apply(y.array());
  }

  template <class G, class Y, class X, class W, class B, class SX, class SW, class SB>
  void backward(G& g, const Y& y, const X& x, const W& w, const B&, SX sx, SW sw, SB sb) const {
    if constexpr (!Activation::is_identity) g.array() *= Activation::derivative(y.array());
    sw.product(x.transpose(), g);
    sb(g.colwise().sum());
    sx.product(g, w.transpose());
  }

  // The same pullbacks as expressions (tl::grad).
  template <std::size_t J, class Y, class G, SlopedActivation A = Activation>
  static constexpr auto vjp(const Y& y, const G& g) {
    const auto gz = through_activation<A>(y, g);
    if constexpr (J == 0)
      return make_expr(matmul_nt{}, gz, tapeless::get<1>(y.children));
    else if constexpr (J == 1)
      return make_expr(matmul_tn{}, tapeless::get<0>(y.children), gz);
    else
      return make_expr(sum_rows{}, gz);
  }
};

}  // namespace tapeless::ops
