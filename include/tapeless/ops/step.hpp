#pragma once

#include <cstddef>
#include <string_view>

#include <tapeless/node/expr.hpp>
#include <tapeless/node/shape.hpp>

// Piecewise-constant functions of an expression, the derivatives of
// piecewise-linear ones (relu, abs). Their own derivative is zero almost
// everywhere, and exactly zero where it exists, so no gradient flows through
// them: the analysis knows at compile time that a second derivative through
// a relu path vanishes, and a request for it is reported as unconnected.
// (clamp's derivative, `inside`, carries its bounds: a run-time value.)
namespace tapeless::ops {

// y = 1 where x > 0, else 0.
struct step {
  static constexpr std::string_view name = "step";
  static constexpr bool differentiable(std::size_t) { return false; }
  using shape_rule = shape_rules::like_first;

  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    using S = typename Y::Scalar;
    y = (x.array() > S(0)).template cast<S>().matrix();
  }
};

// y = sign(x): -1, 0 or 1.
struct sign {
  static constexpr std::string_view name = "sign";
  static constexpr bool differentiable(std::size_t) { return false; }
  using shape_rule = shape_rules::like_first;

  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    y.array() = x.array().sign();
  }
};

// y = 1 where lo <= x <= hi, else 0: clamp's derivative. It carries the
// bounds, so its node is told apart by position (graph/dag.hpp).
template <class S>
struct inside {
  static constexpr std::string_view name = "inside";
  static constexpr bool differentiable(std::size_t) { return false; }
  using shape_rule = shape_rules::like_first;
  S lo, hi;

  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    y = (x.array() >= lo && x.array() <= hi).template cast<S>().matrix();
  }
};

}  // namespace tapeless::ops
