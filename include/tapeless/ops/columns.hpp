#pragma once

#include <string_view>

#include <tapeless/checks.hpp>
#include <tapeless/detail/build.hpp>
#include <tapeless/node/shape.hpp>

// Concatenation and slicing along features (columns); the batch (rows) is
// shared.
namespace tapeless {
namespace ops {

// y = [a b] (a's columns, then b's);  da = g's first columns, db = the rest.
struct concat {
  static constexpr std::string_view name = "concat";
  struct shape_rule {
    template <class A, class B>
    struct of {
      static constexpr int rows = shape_rules::common_rows<A::rows, B::rows>;
      static constexpr int cols = A::cols + B::cols;
    };
    static Eigen::Index runtime_rows(std::string_view op, Eigen::Index a, Eigen::Index b) {
      return shape_rules::elementwise::runtime_rows(op, a, b);
    }
  };
  template <class Y, class A, class B>
  void forward(Y& y, const A& a, const B& b) const {
    y.leftCols(a.cols()) = a;
    y.rightCols(b.cols()) = b;
  }
  template <class G, class Y, class A, class B, class SA, class SB>
  void backward(G& g, const Y&, const A& a, const B& b, SA sa, SB sb) const {
    sa(g.leftCols(a.cols()));
    sb(g.rightCols(b.cols()));
  }
  template <std::size_t J, class Y, class G>
  static constexpr auto vjp(const Y& y, const G& g);
};

// y = columns First .. First + Count - 1 of x;  dx = g there, 0 elsewhere.
template <int First, int Count>
struct slice {
  static constexpr std::string_view name = "slice";
  struct shape_rule {
    template <class X>
    struct of {
      static constexpr int rows = X::rows;
      static constexpr int cols = Count;
    };
    static Eigen::Index runtime_rows(std::string_view, Eigen::Index x) { return x; }
  };
  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    y = x.middleCols(First, Count);
  }
  template <class G, class Y, class X, class SX>
  void backward(G& g, const Y&, const X& x, SX sx) const {
    if constexpr (First > 0) sx.cols(0, First).fill(0);
    sx.cols(First, Count)(g);
    if (const auto rest = x.cols() - First - Count; rest > 0) sx.cols(First + Count, rest).fill(0);
  }
};

template <std::size_t J, class Y, class G>
constexpr auto concat::vjp(const Y&, const G& g) {
  using A = operand_t<0, Y>;
  using B = operand_t<1, Y>;
  if constexpr (J == 0)
    return make_expr(slice<0, A::cols>{}, g);
  else
    return make_expr(slice<A::cols, B::cols>{}, g);
}

}  // namespace ops

// The features of a and then of b, in one row per example; a and b have one
// batch (rows) and one scalar type.
template <Expression A, Expression B>
constexpr auto concat(const A& a, const B& b) {
  return detail::binary<ops::concat>(a, b);
}

// Features First .. First + Count - 1 of x (checked at compile time).
template <int First, int Count, Expression X>
constexpr auto slice(const X& x) {
  if constexpr (contains_poisoned_v<X>)
    return make_expr(ops::slice<0, Count>{}, poisoned<typename X::scalar, X::rows, Count>{});
  else if constexpr (!check::slice_is_inside<shape<X::rows, X::cols>, First, Count>::check())
    return make_expr(ops::slice<0, Count>{}, poisoned<typename X::scalar, X::rows, Count>{});
  else
    return make_expr(ops::slice<First, Count>{}, x);
}

}  // namespace tapeless
