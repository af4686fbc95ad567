#pragma once

#include <tapeless/ops/activate.hpp>
#include <tapeless/ops/add.hpp>
#include <tapeless/ops/affine.hpp>
#include <tapeless/ops/multiply.hpp>
#include <tapeless/ops/step.hpp>

namespace tapeless {

// The exponential linear unit with alpha = 1 (Clevert et al. 2016, PyTorch's
// default): f(x) = x for x > 0, e^x - 1 otherwise (expm1: exact near 0);
// f'(x) = 1 for x > 0, e^x = y + 1 otherwise, read from y.
struct ELU {
  static constexpr std::string_view name = "elu";
  static constexpr bool is_identity = false;
  template <class X>
  static auto apply(const X& x) {
    using S = typename X::Scalar;
    return (x > S(0)).select(x, x.expm1());
  }
  template <class Y>
  static auto derivative(const Y& y) {
    using S = typename Y::Scalar;
    const auto positive = (y > S(0)).template cast<S>();
    return positive + (S(1) - positive) * (y + S(1));
  }
  // [y > 0] + (1 - [y > 0]) (y + 1): the step carries no gradient.
  template <class Y>
  static constexpr auto slope(const Y& y) {
    using one = std::ratio<1>;
    const auto positive = make_expr(ops::step{}, y);
    return make_expr(ops::add{}, positive,
                     make_expr(ops::multiply{}, ops::affine_of<std::ratio<-1>, one>(positive),
                               ops::affine_of<one, one>(y)));
  }
};

template <Expression X>
constexpr auto elu(const X& x) {
  return detail::activated<ELU>(x);
}

}  // namespace tapeless
