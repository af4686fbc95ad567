#pragma once

#include <ratio>

#include <tapeless/ops/activate.hpp>
#include <tapeless/ops/affine.hpp>
#include <tapeless/ops/step.hpp>

namespace tapeless {

// f(x) = x for x > 0, a x otherwise, with the slope a a std::ratio (a type,
// so that clang 14, which has no floating-point template arguments, takes
// it too): LeakyReLU<> is PyTorch's default a = 0.01, LeakyReLU<std::ratio<1,
// 5>> a = 0.2. f'(x) = 1 or a, read from y (same sign as x, for a > 0).
template <class Slope = std::ratio<1, 100>>
struct LeakyReLU {
  static_assert(Slope::num > 0 && Slope::num < Slope::den,
                "tapeless: LeakyReLU<Slope>: the slope must be in (0, 1)");
  static constexpr std::string_view name = "leaky_relu";
  static constexpr bool is_identity = false;
  template <class S>
  static constexpr S negative_slope = S(Slope::num) / S(Slope::den);
  template <class X>
  static auto apply(const X& x) {
    using S = typename X::Scalar;
    return (x > S(0)).select(x, negative_slope<S> * x);
  }
  template <class Y>
  static auto derivative(const Y& y) {
    using S = typename Y::Scalar;
    return negative_slope<S> + (S(1) - negative_slope<S>)*(y > S(0)).template cast<S>();
  }
  template <class Y>
  static constexpr auto slope(const Y& y) {
    using one_minus = std::ratio_subtract<std::ratio<1>, Slope>;
    return ops::affine_of<one_minus, Slope>(make_expr(ops::step{}, y));
  }
};

template <class Slope = std::ratio<1, 100>, Expression X>
constexpr auto leaky_relu(const X& x) {
  return detail::activated<LeakyReLU<Slope>>(x);
}

}  // namespace tapeless
