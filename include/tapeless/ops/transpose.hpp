#pragma once

#include <string_view>

#include <tapeless/checks.hpp>
#include <tapeless/node/expr.hpp>
#include <tapeless/node/poisoned.hpp>
#include <tapeless/node/shape.hpp>

namespace tapeless {
namespace ops {

// y = x^T;  dx = g^T.
struct transpose {
  static constexpr std::string_view name = "transpose";

  struct shape_rule {
    template <class X>
    struct of {
      static constexpr int rows = X::cols;
      static constexpr int cols = X::rows;
    };
    template <class... Index>
    static Eigen::Index runtime_rows(std::string_view, Index...) {
      return 0;  // never called: the operand's shape is static
    }
  };

  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    y = x.transpose();
  }
  template <class G, class Y, class X, class SX>
  void backward(G& g, const Y&, const X&, SX sx) const {
    sx(g.transpose());
  }
  template <std::size_t, class Y, class G>
  static constexpr auto vjp(const Y&, const G& g) {
    return make_expr(transpose{}, g);
  }
};

}  // namespace ops

// The transpose of an expression of a static shape (a weight, not a batch:
// a batch's rows would become a run-time column count). Tied weights:
// `decoder.with_weights(tl::transpose(encoder.layer<0>().weight), b)`.
template <Expression X>
constexpr auto transpose(const X& x) {
  // After a failed check: a stand-in of a static shape.
  using fallback = poisoned<typename X::scalar, (X::rows > 0 ? X::rows : 1), X::cols>;
  if constexpr (contains_poisoned_v<X>)
    return make_expr(ops::transpose{}, fallback{});
  else if constexpr (!check::shape_is_static<ops::transpose, shape<X::rows, X::cols>>::check())
    return make_expr(ops::transpose{}, fallback{});
  else
    return make_expr(ops::transpose{}, x);
}

}  // namespace tapeless
