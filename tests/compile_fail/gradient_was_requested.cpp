// check::gradient_was_requested: reading the gradient of a parameter that
// was not part of the request (the encoder's, from a head-only request).

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct encoder, double, tl::Dense<3, 4, tl::ReLU>> enc;
  tl::model<struct head, double, tl::Dense<4, 1>> head;
  tl::input<struct x_tag, double, 3> x;
  tl::input<struct t_tag, double, 1> t;
  auto loss = tl::mse(head(enc(x)), t);
#ifdef TAPELESS_EXPECT_FAIL
  auto step = tl::gradient(loss, head);
#else
  auto step = tl::gradient(loss, enc, head);
#endif
  Eigen::MatrixXd X(8, 3), T(8, 1);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  return g[enc.layer<0>().weight].norm() > 0 ? 0 : 1;
}
