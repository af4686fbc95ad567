#pragma once

#include <string_view>

#include <tapeless/node/expr.hpp>
#include <tapeless/node/shape.hpp>

// Reductions to a number and their pullbacks, which spread a number back
// over a shape: each is the other's derivative rule, so they live together.
namespace tapeless {
namespace ops {

// y = the 1x1 g in every element of `like`'s shape (divided by like's
// number of elements n if Mean), for the pullbacks of sum and mean as
// expressions (tl::grad). Only like's shape is read: no gradient flows to
// it. dg = sum of the adjoint (mean of it if Mean).
template <bool Mean>
struct spread {
  static constexpr std::string_view name = Mean ? "spread (mean)" : "spread";
  static constexpr bool differentiable(std::size_t operand) { return operand == 0; }
  static constexpr bool shape_only(std::size_t operand) { return operand == 1; }
  struct shape_rule {
    template <class G, class Like>
    struct of {
      static constexpr int rows = Like::rows;
      static constexpr int cols = Like::cols;
    };
    static Eigen::Index runtime_rows(std::string_view, Eigen::Index, Eigen::Index like) {
      return like;
    }
  };

  template <class Y, class G, class Like>
  void forward(Y& y, const G& g, const Like&) const {
    if constexpr (Mean)
      y.setConstant(g(0, 0) / static_cast<typename Y::Scalar>(y.size()));
    else
      y.setConstant(g(0, 0));
  }
  template <class A, class Y, class G, class Like, class SG, class SL>
  void backward(A& a, const Y&, const G&, const Like&, SG sg, SL) const {
    if constexpr (Mean)
      sg.fill(a.mean());
    else
      sg.fill(a.sum());
  }
  template <std::size_t, class Y, class A>
  static constexpr auto vjp(const Y&, const A& a);
};

// y = sum_ij x_ij (1x1);  dx_ij = g.
struct sum {
  static constexpr std::string_view name = "sum";
  using shape_rule = shape_rules::scalar;

  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    y(0, 0) = x.sum();
  }
  template <class G, class Y, class X, class SX>
  void backward(G& g, const Y&, const X&, SX sx) const {
    sx.fill(g(0, 0));
  }
  template <std::size_t, class Y, class G>
  static constexpr auto vjp(const Y& y, const G& g) {
    return make_expr(spread<false>{}, g, tapeless::get<0>(y.children));
  }
};

// y = (1/n) sum_ij x_ij over the n elements (1x1);  dx_ij = g / n.
// n is read at run time, so a dynamic batch is averaged over its real size.
struct mean {
  static constexpr std::string_view name = "mean";
  using shape_rule = shape_rules::scalar;

  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    y(0, 0) = x.mean();
  }
  template <class G, class Y, class X, class SX>
  void backward(G& g, const Y&, const X& x, SX sx) const {
    sx.fill(g(0, 0) / static_cast<typename G::Scalar>(x.size()));
  }
  template <std::size_t, class Y, class G>
  static constexpr auto vjp(const Y& y, const G& g) {
    return make_expr(spread<true>{}, g, tapeless::get<0>(y.children));
  }
};

template <bool Mean>
template <std::size_t, class Y, class A>
constexpr auto spread<Mean>::vjp(const Y&, const A& a) {
  return make_expr(std::conditional_t<Mean, mean, sum>{}, a);
}

}  // namespace ops

template <Expression X>
constexpr auto sum(const X& x) {
  return make_expr(ops::sum{}, x);
}

template <Expression X>
constexpr auto mean(const X& x) {
  return make_expr(ops::mean{}, x);
}

}  // namespace tapeless
