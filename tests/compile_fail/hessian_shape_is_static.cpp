// check::hessian_shape_is_static: the Hessian with respect to a variable
// whose batch is known at run time only; with a fixed batch it compiles.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct net, double, tl::Dense<3, 1, tl::Tanh>> m;
#ifdef TAPELESS_EXPECT_FAIL
  tl::variable<struct x_tag, double, 3> x;
#else
  tl::variable<struct x_tag, double, 3, 4> x;
#endif
  auto hessian = tl::hessian(tl::mean(m(x)), x);
  Eigen::MatrixXd X = Eigen::MatrixXd::Ones(4, 3);
  return hessian(tl::feed(x, X)).rows() >= 0 ? 0 : 1;
}
