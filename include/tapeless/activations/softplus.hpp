#pragma once

#include <tapeless/ops/activate.hpp>
#include <tapeless/ops/affine.hpp>
#include <tapeless/ops/exp.hpp>

namespace tapeless {

// f(x) = ln(1 + e^x), computed as max(x, 0) + ln(1 + e^-|x|) so that large
// |x| neither overflows nor loses the small term; f'(x) = sigmoid(x) =
// 1 - e^-y, read from y.
struct Softplus {
  static constexpr std::string_view name = "softplus";
  static constexpr bool is_identity = false;
  template <class X>
  static auto apply(const X& x) {
    using S = typename X::Scalar;
    return x.max(S(0)) + (-x.abs()).exp().log1p();
  }
  template <class Y>
  static auto derivative(const Y& y) {
    using S = typename Y::Scalar;
    return S(1) - (-y).exp();
  }
  template <class Y>
  static constexpr auto slope(const Y& y) {
    using minus_one = std::ratio<-1>;
    return ops::affine_of<minus_one, std::ratio<1>>(
        make_expr(ops::exp{}, ops::affine_of<minus_one>(y)));
  }
};

template <Expression X>
constexpr auto softplus(const X& x) {
  return detail::activated<Softplus>(x);
}

}  // namespace tapeless
