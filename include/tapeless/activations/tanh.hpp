#pragma once

#include <tapeless/ops/activate.hpp>

namespace tapeless {

// f(x) = tanh x;  f'(x) = 1 - y^2.
struct Tanh {
  static constexpr std::string_view name = "tanh";
  static constexpr bool is_identity = false;
  template <class X>
  static auto apply(const X& x) {
    return x.tanh();
  }
  template <class Y>
  static auto derivative(const Y& y) {
    return typename Y::Scalar(1) - y.square();
  }
};

template <Expression X>
constexpr auto tanh(const X& x) {
  return detail::activated<Tanh>(x);
}

}  // namespace tapeless
