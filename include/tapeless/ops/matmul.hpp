#pragma once

#include <string_view>

#include <tapeless/checks.hpp>
#include <tapeless/detail/build.hpp>
#include <tapeless/kernels/product.hpp>
#include <tapeless/node/shape.hpp>

namespace tapeless {
namespace ops {

// y = a b, the matrix product of a (r x k) and b (k x c);
// da = g b^T,  db = a^T g. Both go through kernels::product, like the
// Dense op's, so a computed-weights layer costs what a stored one does
// plus the work of its weight expression.
struct matmul {
  static constexpr std::string_view name = "matmul";

  struct shape_rule {
    template <class A, class B>
    struct of {
      static constexpr int rows = A::rows;
      static constexpr int cols = B::cols;
    };
    template <class... Index>
    static Eigen::Index runtime_rows(std::string_view, Eigen::Index a, Index...) {
      return a;
    }
  };

  template <class Y, class A, class B>
  void forward(Y& y, const A& a, const B& b) const {
    kernels::product<false>(y, a, b);
  }
  template <class G, class Y, class A, class B, class SA, class SB>
  void backward(G& g, const Y&, const A& a, const B& b, SA sa, SB sb) const {
    sa.product(g, b.transpose());
    sb.product(a.transpose(), g);
  }
  template <std::size_t J, class Y, class G>
  static constexpr auto vjp(const Y& y, const G& g);
};

// y = a^T b, of a (k x r) and b (k x c), where k may be the run-time batch:
// the weight gradient x^T g as an expression (transpose(x) of a batch would
// have a run-time column count). da = b g^T, db = a g.
struct matmul_tn {
  static constexpr std::string_view name = "matmul_tn";
  struct shape_rule {
    template <class A, class B>
    struct of {
      static constexpr int rows = A::cols;
      static constexpr int cols = B::cols;
    };
    // The result's rows are static; the run-time check is that the shared
    // batch agrees.
    static Eigen::Index runtime_rows(std::string_view op, Eigen::Index a, Eigen::Index b) {
      shape_rules::elementwise::runtime_rows(op, a, b);
      return 0;
    }
  };

  template <class Y, class A, class B>
  void forward(Y& y, const A& a, const B& b) const {
    kernels::product<false>(y, a.transpose(), b);
  }
  template <class G, class Y, class A, class B, class SA, class SB>
  void backward(G& g, const Y&, const A& a, const B& b, SA sa, SB sb) const {
    sa.product(b, g.transpose());
    sb.product(a, g);
  }
  template <std::size_t J, class Y, class G>
  static constexpr auto vjp(const Y& y, const G& g);
};

// y = a b^T, of a (r x k) and b (c x k), r possibly the batch: the input
// gradient g W^T. da = g b, db = g^T a.
struct matmul_nt {
  static constexpr std::string_view name = "matmul_nt";
  struct shape_rule {
    template <class A, class B>
    struct of {
      static constexpr int rows = A::rows;
      static constexpr int cols = B::rows;
    };
    template <class... Index>
    static Eigen::Index runtime_rows(std::string_view, Eigen::Index a, Index...) {
      return a;
    }
  };

  template <class Y, class A, class B>
  void forward(Y& y, const A& a, const B& b) const {
    kernels::product<false>(y, a, b.transpose());
  }
  template <class G, class Y, class A, class B, class SA, class SB>
  void backward(G& g, const Y&, const A& a, const B& b, SA sa, SB sb) const {
    sa.product(g, b);
    sb.product(g.transpose(), a);
  }
  template <std::size_t J, class Y, class G>
  static constexpr auto vjp(const Y& y, const G& g);
};

template <std::size_t J, class Y, class G>
constexpr auto matmul::vjp(const Y& y, const G& g) {
  const auto& a = tapeless::get<0>(y.children);
  const auto& b = tapeless::get<1>(y.children);
  if constexpr (J == 0)
    return make_expr(matmul_nt{}, g, b);
  else
    return make_expr(matmul_tn{}, a, g);
}
template <std::size_t J, class Y, class G>
constexpr auto matmul_tn::vjp(const Y& y, const G& g) {
  const auto& a = tapeless::get<0>(y.children);
  const auto& b = tapeless::get<1>(y.children);
  if constexpr (J == 0)
    return make_expr(matmul_nt{}, b, g);
  else
    return make_expr(matmul{}, a, g);
}
template <std::size_t J, class Y, class G>
constexpr auto matmul_nt::vjp(const Y& y, const G& g) {
  const auto& a = tapeless::get<0>(y.children);
  const auto& b = tapeless::get<1>(y.children);
  if constexpr (J == 0)
    return make_expr(matmul{}, g, b);
  else
    return make_expr(matmul_tn{}, g, a);
}

}  // namespace ops

// The matrix product of two expressions: a's columns must equal b's rows
// (checked at compile time); a's rows may be the run-time batch.
template <Expression A, Expression B>
constexpr auto matmul(const A& a, const B& b) {
  using S = typename A::scalar;
  if constexpr (contains_poisoned_v<A> || contains_poisoned_v<B>)
    return make_expr(ops::matmul{}, a, poisoned<S, A::cols, B::cols>{});
  else if constexpr (!check::matmul_sizes_match<shape<A::rows, A::cols>,
                                                shape<B::rows, B::cols>>::check())
    return make_expr(ops::matmul{}, a, poisoned<S, A::cols, B::cols>{});
  else
    return detail::binary<ops::matmul>(a, b);
}

}  // namespace tapeless
