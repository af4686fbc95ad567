// check::jacobian_keeps_examples_apart: f scales every example by the mean
// over the batch, so one example's outputs depend on all inputs and there
// is no per-example Jacobian.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct net, double, tl::Dense<3, 1, tl::Tanh>> m;
  tl::variable<struct x_tag, double, 3> x;
#ifdef TAPELESS_EXPECT_FAIL
  const auto f = m(x) * tl::broadcast_rows(tl::mean(x), m(x));
#else
  const auto f = m(x) * m(x);
#endif
  auto jacobian = tl::jacobian(f, x);
  Eigen::MatrixXd X = Eigen::MatrixXd::Ones(4, 3);
  return jacobian(tl::feed(x, X)).batch() == 4 ? 0 : 1;
}
