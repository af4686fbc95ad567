// check::loss_uses_parameters_past_operands_without_gradient: a parameter
// whose every path to the loss enters an op through an operand that takes
// no gradient, with no stop_gradient on the way. An encoder's output is
// given to an Embedding as its ids, and the encoder is requested: ids are
// looked up, not differentiated, so the loss does not depend on it.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct encoder, double, tl::Dense<3, 2>> enc;
  tl::model<struct lookup, double, tl::Embedding<5, 4, 2>, tl::Dense<8, 1>> lookup;
  tl::input<struct x_tag, double, 3> x;
  tl::input<struct t_tag, double, 1> t;
  auto loss = tl::mse(lookup(enc(x)), t);
#ifdef TAPELESS_EXPECT_FAIL
  auto step = tl::gradient(loss, enc, lookup);
#else
  auto step = tl::gradient(loss, lookup);
#endif
  Eigen::MatrixXd X(8, 3), T(8, 1);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  return g[lookup.layer<1>().weight].norm() > 0 ? 0 : 1;
}
