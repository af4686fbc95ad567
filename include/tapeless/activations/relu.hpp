#pragma once

#include <tapeless/ops/activate.hpp>
#include <tapeless/ops/step.hpp>

namespace tapeless {

// f(x) = max(x, 0);  f'(x) = [y > 0] (taken as 0 at x = 0, as in PyTorch).
struct ReLU {
  static constexpr std::string_view name = "relu";
  static constexpr bool is_identity = false;
  template <class X>
  static auto apply(const X& x) {
    return x.max(typename X::Scalar(0));
  }
  template <class Y>
  static auto derivative(const Y& y) {
    return (y > typename Y::Scalar(0)).template cast<typename Y::Scalar>();
  }
  // A step, through which no gradient flows: second derivatives through a
  // relu are zero (where they exist), known at compile time.
  template <class Y>
  static constexpr auto slope(const Y& y) {
    return make_expr(ops::step{}, y);
  }
};

template <Expression X>
constexpr auto relu(const X& x) {
  return detail::activated<ReLU>(x);
}

}  // namespace tapeless
