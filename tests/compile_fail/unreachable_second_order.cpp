// check::loss_uses_parameters, for a second derivative: the mean of a
// linear layer's output is linear in its bias, so the gradient with respect
// to the bias does not read the bias, and the bias's row of the Hessian is
// not a dependency (nor is the last weight: the output layer is linear).
// The same message as for a first derivative.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct net, double, tl::Dense<3, 2, tl::Tanh>, tl::Dense<2, 1>> m;
  tl::model<struct dir, double, tl::Dense<3, 2, tl::Tanh>, tl::Dense<2, 1>> v;
  tl::input<struct x_tag, double, 3> x;
  const auto loss = tl::mean(m(x));
#ifdef TAPELESS_EXPECT_FAIL
  const auto hv = tl::hvp(loss, m.layer<1>().bias, v.layer<1>().bias);
#else
  const auto hv = tl::hvp(loss, m.layer<0>().weight, v.layer<0>().weight);
#endif
  auto program = tl::evaluate(hv);
  Eigen::MatrixXd X = Eigen::MatrixXd::Ones(4, 3);
  return program(tl::feed(x, X)).value().size() > 0 ? 0 : 1;
}
