#pragma once

#include <cstddef>
#include <ratio>
#include <string_view>

#include <tapeless/node/expr.hpp>
#include <tapeless/node/shape.hpp>

namespace tapeless::ops {

// y = a x + c for numbers known at compile time (std::ratio types: clang 14
// has no floating-point template arguments);  dx = a g.
// The derivative rules use it for their constants (2 x, 1 - y^2): unlike
// `scale`, it holds no run-time value, so its node is identified by its type
// and merged wherever it appears (graph/dag.hpp).
template <class A, class C = std::ratio<0>>
struct affine {
  static constexpr std::string_view name = "affine";
  using shape_rule = shape_rules::like_first;

  template <class S>
  static constexpr S a = S(A::num) / S(A::den);
  template <class S>
  static constexpr S c = S(C::num) / S(C::den);

  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    using S = typename Y::Scalar;
    if constexpr (C::num == 0)
      y = a<S> * x;
    else
      y.array() = a<S> * x.array() + c<S>;
  }
  template <class G, class Y, class X, class SX>
  void backward(G& g, const Y&, const X&, SX sx) const {
    sx(a<typename G::Scalar> * g);
  }
  template <std::size_t, class Y, class G>
  static constexpr auto vjp(const Y&, const G& g) {
    return make_expr(affine<A>{}, g);
  }
};

// a x + c as a node, a and c std::ratio types.
template <class A, class C = std::ratio<0>, class X>
constexpr auto affine_of(const X& x) {
  return make_expr(affine<A, C>{}, x);
}

}  // namespace tapeless::ops
