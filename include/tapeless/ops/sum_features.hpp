#pragma once

#include <cstddef>
#include <string_view>

#include <tapeless/node/expr.hpp>
#include <tapeless/node/shape.hpp>

// Per-example reductions over features (columns) and their pullback: each
// is the other's derivative rule, so they live together.
namespace tapeless {
namespace ops {

// y = the column g (rows x 1) repeated over `like`'s columns, whose shape
// only is read;  dg = the sum over columns of the adjoint.
struct spread_features {
  static constexpr std::string_view name = "spread_features";
  static constexpr bool differentiable(std::size_t operand) { return operand == 0; }
  static constexpr bool shape_only(std::size_t operand) { return operand == 1; }
  struct shape_rule {
    template <class G, class Like>
    struct of {
      static constexpr int rows = G::rows;
      static constexpr int cols = Like::cols;
    };
    static Eigen::Index runtime_rows(std::string_view op, Eigen::Index g, Eigen::Index like) {
      return shape_rules::elementwise::runtime_rows(op, g, like);
    }
  };

  template <class Y, class G, class Like>
  void forward(Y& y, const G& g, const Like&) const {
    y.colwise() = g.col(0);
  }
  template <class A, class Y, class G, class Like, class SG, class SL>
  void backward(A& a, const Y&, const G&, const Like&, SG sg, SL) const {
    sg(a.rowwise().sum());
  }
  template <std::size_t, class Y, class A>
  static constexpr auto vjp(const Y&, const A& a);
};

// y = each row's sum over its features (rows x 1);  dx = g repeated over
// the columns.
struct sum_features {
  static constexpr std::string_view name = "sum_features";
  struct shape_rule {
    template <class X>
    struct of {
      static constexpr int rows = X::rows;
      static constexpr int cols = 1;
    };
    static Eigen::Index runtime_rows(std::string_view, Eigen::Index x) { return x; }
  };

  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    y = x.rowwise().sum();
  }
  template <class G, class Y, class X, class SX>
  void backward(G& g, const Y&, const X& x, SX sx) const {
    sx(g.replicate(1, x.cols()));
  }
  template <std::size_t, class Y, class G>
  static constexpr auto vjp(const Y& y, const G& g) {
    return make_expr(spread_features{}, g, tapeless::get<0>(y.children));
  }
};

template <std::size_t, class Y, class A>
constexpr auto spread_features::vjp(const Y&, const A& a) {
  return make_expr(sum_features{}, a);
}

}  // namespace ops

// Each example's sum over its features: a (batch x 1) column. With
// tl::sqrt and tl::square, per-example norms: the gradient penalty of
// WGAN-GP, tl::sqrt(tl::sum_features(tl::square(g))).
template <Expression X>
constexpr auto sum_features(const X& x) {
  return make_expr(ops::sum_features{}, x);
}

}  // namespace tapeless
