#pragma once

#include <tapeless/detail/build.hpp>
#include <tapeless/node/shape.hpp>

namespace tapeless {
namespace ops {

// y = s x for a number s known at run time;  dx = s g.
// The only op that carries a value: its node is compared by position, not
// by type, when the graph is deduplicated (see graph/dag.hpp).
template <class S>
struct scale {
  static constexpr std::string_view name = "scaling by a number";
  using shape_rule = shape_rules::like_first;
  S factor;

  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    y = factor * x;
  }
  template <class G, class Y, class X, class SX>
  void backward(G& g, const Y&, const X&, SX sx) const {
    sx(factor * g);
  }
};

}  // namespace ops

template <detail::Arithmetic T, Expression X>
constexpr auto operator*(T s, const X& x) {
  using S = typename X::scalar;
  return make_expr(ops::scale<S>{static_cast<S>(s)}, x);
}

template <Expression X, detail::Arithmetic T>
constexpr auto operator*(const X& x, T s) {
  return s * x;
}

template <Expression X, detail::Arithmetic T>
constexpr auto operator/(const X& x, T s) {
  using S = typename X::scalar;
  return (S(1) / static_cast<S>(s)) * x;
}

template <Expression X>
constexpr auto operator-(const X& x) {
  return -1 * x;
}

}  // namespace tapeless
