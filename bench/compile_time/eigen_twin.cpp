// The hand-written Eigen twin of two_models.cpp: the same network (two
// models of TAPELESS_DEPTH / 2 Dense layers each, width 16, tanh, run-time
// batch, float), the same MSE loss and both models' gradients, written as
// bench/handwritten.hpp writes them: one unrolled forward and backward
// sweep over the layers, with the sizes known at compile time.
#include <cstdio>
#include <utility>

#include "../handwritten.hpp"

#ifndef TAPELESS_DEPTH
#define TAPELESS_DEPTH 8
#endif

using layer = bench::dense<16, 16, bench::act::tanh>;
using half = bench::repeat<layer, TAPELESS_DEPTH / 2>;
struct twin : bench::problem<Eigen::Dynamic, half, half> {};
using net = bench::hand::network<twin, float>;

int main() {
  net::params p;
  std::apply([](auto&... l) { ((l.w.setConstant(0.01f), l.b.setConstant(0.01f)), ...); }, p.p);
  Eigen::MatrixXf X = Eigen::MatrixXf::Ones(4, 16), T = Eigen::MatrixXf::Zero(4, 16);
  net::workspace w(X.rows());
  w.run(p, X.data(), T.data());
  std::printf("depth %d: loss %g, |dW| %g\n", TAPELESS_DEPTH, static_cast<double>(w.loss),
              static_cast<double>(std::get<0>(w.buf).dw.norm()));
  return w.loss > 0 ? 0 : 1;
}
