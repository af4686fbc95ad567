// check::loss_uses_parameters_not_a_twin: the loss reads two models, the
// request names a third the loss does not use. Its layer shapes are those of
// `critic` and not of `actor` (whose last layer differs), so the error
// suggests did_you_mean<critic> only. The twin requests critic, as the
// message says.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct actor, double, tl::Dense<3, 4, tl::Tanh>, tl::Dense<4, 2>> actor;
  tl::model<struct critic, double, tl::Dense<3, 4, tl::Tanh>, tl::Dense<4, 1>> critic;
  tl::model<struct value, double, tl::Dense<3, 4, tl::Tanh>, tl::Dense<4, 1>> value;
  value.copy_values_from(critic);
  tl::input<struct s_tag, double, 3> s;
  tl::input<struct r_tag, double, 1> r;
  auto loss = tl::mse(critic(s), r) + tl::mean(tl::square(actor(s)));
#ifdef TAPELESS_EXPECT_FAIL
  auto step = tl::gradient(loss, value);
#else
  auto step = tl::gradient(loss, critic);
#endif
  Eigen::MatrixXd S(8, 3), R(8, 1);
  const auto& g = step(tl::feed(s, S), tl::feed(r, R));
  return g.loss() > 0 ? 0 : 1;
}
