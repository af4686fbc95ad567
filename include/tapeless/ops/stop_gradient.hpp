#pragma once

#include <tapeless/node/expr.hpp>
#include <tapeless/node/shape.hpp>

namespace tapeless {
namespace ops {

// y = x, but no gradient flows back through it: the graph analysis treats
// the edge as cut, so parameters behind it count as not depended on. Its
// value is its operand's storage; it has no pullback.
struct stop_gradient {
  static constexpr std::string_view name = "stop_gradient";
  using shape_rule = shape_rules::like_first;
  static constexpr bool blocks_gradient = true;
  static constexpr bool forwards_value = true;
};

}  // namespace ops

template <Expression X>
constexpr auto stop_gradient(const X& x) {
  return make_expr(ops::stop_gradient{}, x);
}

}  // namespace tapeless
