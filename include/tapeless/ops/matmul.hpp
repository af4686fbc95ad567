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
};

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
