#pragma once

#include <cstddef>
#include <string_view>

#include <tapeless/node/expr.hpp>
#include <tapeless/node/shape.hpp>

// Constants that read no value of their operand: the seed of a gradient
// expression (ones in the loss's shape) and the gradient of a leaf the loss
// does not depend on (zeros, with tl::unconnected_as_zero). No gradient flows
// through either.
namespace tapeless::ops {

// y = 1 in x's shape.
struct ones_like {
  static constexpr std::string_view name = "ones_like";
  static constexpr bool differentiable(std::size_t) { return false; }
  static constexpr bool shape_only(std::size_t) { return true; }
  using shape_rule = shape_rules::like_first;

  template <class Y, class X>
  void forward(Y& y, const X&) const {
    y.setOnes();
  }
};

// y = 0 of shape R x C; the operand gives only the scalar type. A dynamic R
// gives no rows, as tl::gradient's zero gradient of an unused variable.
template <int R, int C>
struct zeros {
  static constexpr std::string_view name = "zeros";
  static constexpr bool differentiable(std::size_t) { return false; }
  static constexpr bool shape_only(std::size_t) { return true; }
  struct shape_rule {
    template <class X>
    struct of {
      static constexpr int rows = R;
      static constexpr int cols = C;
    };
    static Eigen::Index runtime_rows(std::string_view, Eigen::Index) { return 0; }
  };

  template <class Y, class X>
  void forward(Y& y, const X&) const {
    y.setZero();
  }
};

}  // namespace tapeless::ops
