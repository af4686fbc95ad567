#pragma once

#include <cstddef>
#include <string_view>

#include <tapeless/checks.hpp>
#include <tapeless/detail/build.hpp>
#include <tapeless/kernels/broadcast.hpp>
#include <tapeless/node/shape.hpp>

namespace tapeless {
namespace ops {

// y = 1 r: the row r (1 x C) repeated for every row of `like`, whose shape
// only is read (its batch may be known at run time only);
// dr = sum over rows of g. No gradient flows to `like`.
struct broadcast_rows {
  static constexpr std::string_view name = "broadcast_rows";
  static constexpr bool differentiable(std::size_t operand) { return operand == 0; }
  static constexpr bool shape_only(std::size_t operand) { return operand == 1; }

  struct shape_rule {
    template <class Row, class Like>
    struct of {
      static constexpr int rows = Like::rows;
      static constexpr int cols = Row::cols;
    };
    static Eigen::Index runtime_rows(std::string_view, Eigen::Index, Eigen::Index like) {
      return like;
    }
  };

  template <class Y, class Row, class Like>
  void forward(Y& y, const Row& row, const Like&) const {
    kernels::broadcast_row(y, row);
  }
  template <class G, class Y, class Row, class Like, class SR, class SL>
  void backward(G& g, const Y&, const Row&, const Like&, SR sr, SL) const {
    sr(g.colwise().sum());
  }
  template <std::size_t, class Y, class G>
  static constexpr auto vjp(const Y&, const G& g);
};

// y = the sum over rows of x (1 x C), the pullback of broadcast_rows and of
// a bias;  dx = g repeated over x's rows.
struct sum_rows {
  static constexpr std::string_view name = "sum_rows";
  struct shape_rule {
    template <class X>
    struct of {
      static constexpr int rows = 1;
      static constexpr int cols = X::cols;
    };
    static Eigen::Index runtime_rows(std::string_view, Eigen::Index) { return 1; }
  };

  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    y = x.colwise().sum();
  }
  template <class G, class Y, class X, class SX>
  void backward(G& g, const Y&, const X& x, SX sx) const {
    sx(g.replicate(x.rows(), 1));
  }
  template <std::size_t, class Y, class G>
  static constexpr auto vjp(const Y& y, const G& g) {
    return make_expr(broadcast_rows{}, g, tapeless::get<0>(y.children));
  }
};

template <std::size_t, class Y, class G>
constexpr auto broadcast_rows::vjp(const Y&, const G& g) {
  return make_expr(sum_rows{}, g);
}

}  // namespace ops

// The row `row` (1 x C) repeated over the rows of `like` (any expression
// whose batch it should match): a learned offset added to a batch,
// `h + tl::broadcast_rows(offset, h)`. Its gradient is the column sums.
template <Expression Row, Expression Like>
constexpr auto broadcast_rows(const Row& row, const Like& like) {
  using S = typename Row::scalar;
  if constexpr (contains_poisoned_v<Row> || contains_poisoned_v<Like>)
    return make_expr(ops::broadcast_rows{}, poisoned<S, 1, Row::cols>{}, like);
  else if constexpr (!check::broadcast_operand_is_a_row<shape<Row::rows, Row::cols>>::check())
    return make_expr(ops::broadcast_rows{}, poisoned<S, 1, Row::cols>{}, like);
  else
    return detail::binary<ops::broadcast_rows>(row, like);
}

}  // namespace tapeless
