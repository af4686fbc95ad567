#pragma once

#include <tapeless/ops/activate.hpp>
#include <tapeless/ops/affine.hpp>
#include <tapeless/ops/multiply.hpp>

namespace tapeless {

// f(x) = 1 / (1 + e^-x);  f'(x) = y (1 - y).
// For very negative x, e^-x overflows to inf and y becomes exactly 0, the
// correctly rounded value, so no branch is needed.
struct Sigmoid {
  static constexpr std::string_view name = "sigmoid";
  static constexpr bool is_identity = false;
  template <class X>
  static auto apply(const X& x) {
    using S = typename X::Scalar;
    return S(1) / (S(1) + (-x).exp());
  }
  template <class Y>
  static auto derivative(const Y& y) {
    return y * (typename Y::Scalar(1) - y);
  }
  template <class Y>
  static constexpr auto slope(const Y& y) {
    return make_expr(ops::multiply{}, y, ops::affine_of<std::ratio<-1>, std::ratio<1>>(y));
  }
};

template <Expression X>
constexpr auto sigmoid(const X& x) {
  return detail::activated<Sigmoid>(x);
}

}  // namespace tapeless
