#pragma once

#include <tapeless/ops/activate.hpp>

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
};

template <Expression X>
constexpr auto relu(const X& x) {
  return detail::activated<ReLU>(x);
}

}  // namespace tapeless
