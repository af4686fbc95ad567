#pragma once

#include <tapeless/detail/build.hpp>
#include <tapeless/ops/mse.hpp>

namespace tapeless {

// Mean squared error over all elements, mean((y - t)^2), as one fused node
// (ops/mse.hpp). y and t must have the same shape.
template <Expression Y, Expression T>
constexpr auto mse(const Y& y, const T& t) {
  return detail::elementwise<ops::mse>(y, t);
}

}  // namespace tapeless
