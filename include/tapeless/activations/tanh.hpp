#pragma once

#include <tapeless/ops/activate.hpp>
#include <tapeless/ops/affine.hpp>
#include <tapeless/ops/square.hpp>

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
  template <class Y>
  static constexpr auto slope(const Y& y) {
    return ops::affine_of<std::ratio<-1>, std::ratio<1>>(make_expr(ops::square{}, y));
  }
};

template <Expression X>
constexpr auto tanh(const X& x) {
  return detail::activated<Tanh>(x);
}

}  // namespace tapeless
