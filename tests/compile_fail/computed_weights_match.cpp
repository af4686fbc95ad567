// check::computed_weights_match: a layer's weight given by an expression of
// another shape (the transpose forgotten in a tied decoder).

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct enc, double, tl::Dense<4, 2, tl::Tanh>> enc;
  tl::model<struct dec, double, tl::Dense<2, 4>> dec;
  tl::input<struct x_tag, double, 4> x;
#ifdef TAPELESS_EXPECT_FAIL
  auto decoder = dec.layer<0>().with_weights(enc.layer<0>().weight, dec.layer<0>().bias);
#else
  auto decoder =
      dec.layer<0>().with_weights(tl::transpose(enc.layer<0>().weight), dec.layer<0>().bias);
#endif
  auto step = tl::gradient(tl::mse(decoder(enc(x)), x), enc);
  Eigen::MatrixXd X(5, 4);
  return step(tl::feed(x, X)).loss() > 0 ? 0 : 1;
}
