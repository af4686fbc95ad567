// Both unreachable-gradient checks at once, in a two-model network: the
// encoder is frozen behind tl::stop_gradient and the head's copy is not in
// the loss at all. Each reason is reported once, with its parameters (two
// errors, loss_uses_parameters_not_a_twin first, naming the head).

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct encoder, double, tl::Dense<3, 4, tl::ReLU>> enc;
  tl::model<struct head, double, tl::Dense<4, 1>> head;
  tl::model<struct head_copy, double, tl::Dense<4, 1>> copy;
  copy.copy_values_from(head);
  tl::input<struct x_tag, double, 3> x;
  tl::input<struct t_tag, double, 1> t;
  auto loss = tl::mse(head(tl::stop_gradient(enc(x))), t);
#ifdef TAPELESS_EXPECT_FAIL
  auto step = tl::gradient(loss, enc, head, copy);
#else
  auto step = tl::gradient(tl::unconnected_as_zero, loss, enc, head, copy);
#endif
  Eigen::MatrixXd X(8, 3), T(8, 1);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  return g[head.layer<0>().weight].norm() > 0 ? 0 : 1;
}
