// check::loss_uses_parameters_past_stop_gradient, for a second derivative:
// the gradient is used under tl::stop_gradient (first-order MAML does this
// on purpose), so differentiating the product with it again reaches the
// weight only through stop_gradient. The same message as for a first
// derivative.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct net, double, tl::Dense<3, 2, tl::Tanh>> m;
  tl::input<struct x_tag, double, 3> x;
  tl::input<struct v_tag, double, 2, 3> v;  // the weight's shape
  const auto& w = m.layer<0>().weight;
  const auto g = tl::grad(tl::mean(m(x)), w);
#ifdef TAPELESS_EXPECT_FAIL
  const auto hv = tl::grad(tl::sum(tl::stop_gradient(g) * v), w);
#else
  const auto hv = tl::grad(tl::sum(g * v), w);
#endif
  auto program = tl::evaluate(hv);
  Eigen::MatrixXd X = Eigen::MatrixXd::Ones(4, 3), V = Eigen::MatrixXd::Ones(3, 2);
  return program(tl::feed(x, X), tl::feed(v, V)).value().size() > 0 ? 0 : 1;
}
