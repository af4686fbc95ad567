// check::op_has_derivative_rule: tl::grad through an op whose pullback is
// not an expression (dropout: its mask is a value of the program's run, not
// of the expression); without the dropout, the loss has one.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct net, double, tl::Dense<3, 2>> m;
  tl::input<struct x_tag, double, 3> x;
  tl::input<struct t_tag, double, 2> t;
#ifdef TAPELESS_EXPECT_FAIL
  tl::random_engine rng(1);
  tl::dropout_control control(rng);
  const auto loss = tl::mse(tl::dropout(m(x), control), t);
#else
  const auto loss = tl::mse(m(x), t);
#endif
  auto program = tl::evaluate(tl::grad(loss, m.layer<0>().weight));
  Eigen::MatrixXd X = Eigen::MatrixXd::Ones(4, 3), T = Eigen::MatrixXd::Ones(4, 2);
  return program(tl::feed(x, X), tl::feed(t, T)).value().size() > 0 ? 0 : 1;
}
