#pragma once

#include <tapeless/ops/mean.hpp>
#include <tapeless/ops/square.hpp>
#include <tapeless/ops/subtract.hpp>

namespace tapeless {

// Mean squared error over all elements, mean((y - t)^2): a composition, so
// it needs no rule of its own and its parts are shared with the rest of the
// graph like any other expression.
template <Expression Y, Expression T>
constexpr auto mse(const Y& y, const T& t) {
  return mean(square(y - t));
}

}  // namespace tapeless
