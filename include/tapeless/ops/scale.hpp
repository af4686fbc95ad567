#pragma once

#include <tapeless/detail/build.hpp>
#include <tapeless/node/shape.hpp>

namespace tapeless {
namespace ops {

// y = s x for a number s known at run time;  dx = s g.
// It carries a value, so its node is compared by position, not by type,
// when the graph is deduplicated (see graph/dag.hpp).
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
  template <std::size_t, class Y, class G>
  static constexpr auto vjp(const Y& y, const G& g) {
    return make_expr(y.op, g);
  }
};

// y = x + c for a number c known at run time;  dx = g. Like scale, its
// node carries a value.
template <class S>
struct shift {
  static constexpr std::string_view name = "adding a number";
  using shape_rule = shape_rules::like_first;
  S offset;

  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    y.array() = x.array() + offset;
  }
  template <class G, class Y, class X, class SX>
  void backward(G& g, const Y&, const X&, SX sx) const {
    sx(g);
  }
  template <std::size_t, class Y, class G>
  static constexpr auto vjp(const Y&, const G& g) {
    return g;
  }
};

}  // namespace ops

template <Expression X, detail::Arithmetic T>
constexpr auto operator+(const X& x, T c) {
  using S = typename X::scalar;
  return make_expr(ops::shift<S>{static_cast<S>(c)}, x);
}
template <detail::Arithmetic T, Expression X>
constexpr auto operator+(T c, const X& x) {
  return x + c;
}
template <Expression X, detail::Arithmetic T>
constexpr auto operator-(const X& x, T c) {
  return x + (-c);
}

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

template <detail::Arithmetic T, Expression X>
constexpr auto operator-(T c, const X& x) {
  return -x + c;
}

}  // namespace tapeless
