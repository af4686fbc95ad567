// check::loss_uses_parameters_past_stop_gradient, case (b): a parameter
// reachable only through tl::stop_gradient. The encoder is frozen (its output
// goes through stop_gradient) and requested anyway, with the head.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct encoder, double, tl::Dense<3, 4, tl::ReLU>> enc;
  tl::model<struct head, double, tl::Dense<4, 1>> head;
  tl::input<struct x_tag, double, 3> x;
  tl::input<struct t_tag, double, 1> t;
  auto loss = tl::mse(head(tl::stop_gradient(enc(x))), t);
#ifdef TAPELESS_EXPECT_FAIL
  auto step = tl::gradient(loss, enc, head);
#else
  auto step = tl::gradient(loss, head);
#endif
  Eigen::MatrixXd X(8, 3), T(8, 1);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  return g[head.layer<0>().weight].norm() > 0 ? 0 : 1;
}
