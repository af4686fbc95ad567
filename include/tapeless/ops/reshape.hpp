#pragma once

#include <string_view>

#include <tapeless/checks.hpp>
#include <tapeless/node/expr.hpp>
#include <tapeless/node/poisoned.hpp>
#include <tapeless/node/shape.hpp>

namespace tapeless {
namespace ops {

// The same elements in another static shape, in row-major order: element
// k of x read row by row is element k of y read row by row (NumPy's and
// PyTorch's `reshape`). The pullback reads g back in the same order.
template <int R, int C>
struct reshape {
  static constexpr std::string_view name = "reshape";

  struct shape_rule {
    template <class X>
    struct of {
      static constexpr int rows = R;
      static constexpr int cols = C;
    };
    template <class... Index>
    static Eigen::Index runtime_rows(std::string_view, Index...) {
      return R;  // never called: the operand's shape is static
    }
  };

  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    y = x.template reshaped<Eigen::RowMajor>(R, C);
  }
  template <class G, class Y, class X, class SX>
  void backward(G& g, const Y&, const X& x, SX sx) const {
    sx(g.template reshaped<Eigen::RowMajor>(x.rows(), x.cols()));
  }
  template <std::size_t, class Y, class G>
  static constexpr auto vjp(const Y&, const G& g) {
    using X = operand_t<0, Y>;
    return make_expr(reshape<X::rows, X::cols>{}, g);
  }
};

}  // namespace ops

// x with the static shape R x C and the same number of elements, read and
// written in row-major order: a hypernetwork's 1 x (In * Out) output row
// becomes an In x Out weight with W(i, j) = row(i * Out + j).
template <int R, int C, Expression X>
constexpr auto reshape(const X& x) {
  using S = typename X::scalar;
  if constexpr (contains_poisoned_v<X>)
    return make_expr(ops::reshape<R, C>{}, poisoned<S, R, C>{});
  else if constexpr (!check::all(
                         check::shape_is_static<ops::reshape<R, C>,
                                                shape<X::rows, X::cols>>::check(),
                         check::reshape_keeps_size<shape<X::rows, X::cols>, shape<R, C>>::check()))
    return make_expr(ops::reshape<R, C>{}, poisoned<S, R, C>{});
  else
    return make_expr(ops::reshape<R, C>{}, x);
}

}  // namespace tapeless
