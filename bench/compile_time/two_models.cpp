// Compile-time benchmark: the gradient of an MSE loss with respect to both
// models of y = A(B(x)), where A and B have TAPELESS_DEPTH / 2 Dense layers
// each (width 16, tanh, run-time batch, float). Compiling this file is the
// measurement; running it checks that the program was really instantiated.
#include <cstdio>

#ifndef TAPELESS_DEPTH
#define TAPELESS_DEPTH 8
#endif

#include "models.hpp"

int main() {
  model_t<struct a> a;
  model_t<struct b> b;
  a.for_each_parameter([](auto& p) { p.value.setConstant(0.01f); });
  b.for_each_parameter([](auto& p) { p.value.setConstant(0.01f); });
  tl::input<struct x, float, 16> x;
  tl::input<struct t, float, 16> t;
  auto step = tl::gradient(tl::mse(a(b(x)), t), a, b);
  Eigen::MatrixXf X = Eigen::MatrixXf::Ones(4, 16), T = Eigen::MatrixXf::Zero(4, 16);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  std::printf("depth %d: loss %g, |dW| %g\n", TAPELESS_DEPTH, static_cast<double>(g.loss()),
              static_cast<double>(g[b.layer<0>().weight].norm()));
  return g.loss() > 0 ? 0 : 1;
}
