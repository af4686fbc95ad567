#pragma once

#include <tapeless/node/expr.hpp>
#include <tapeless/node/shape.hpp>
#include <tapeless/ops/divide.hpp>

namespace tapeless {
namespace ops {

// y = ln x;  dx = g / x.
struct log {
  static constexpr std::string_view name = "log";
  using shape_rule = shape_rules::like_first;

  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    y.array() = x.array().log();
  }
  template <class G, class Y, class X, class SX>
  void backward(G& g, const Y&, const X& x, SX sx) const {
    sx(g.array() / x.array());
  }
  template <std::size_t, class Y, class G>
  static constexpr auto vjp(const Y& y, const G& g) {
    return make_expr(divide{}, g, tapeless::get<0>(y.children));
  }
};

}  // namespace ops

template <Expression X>
constexpr auto log(const X& x) {
  return make_expr(ops::log{}, x);
}

}  // namespace tapeless
