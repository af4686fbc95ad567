// check::computed_weights_cover_layers: a two-layer model applied with the
// weight and bias of its first layer only.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

using target_t = tl::model<struct target, double, tl::Dense<1, 8, tl::ReLU>, tl::Dense<8, 1>>;

int main() {
  tl::model<struct w0, double, tl::Dense<2, 8>> w0;
  tl::model<struct b0, double, tl::Dense<2, 8>> b0;
  tl::model<struct w1, double, tl::Dense<2, 8>> w1;
  tl::model<struct b1, double, tl::Dense<2, 1>> b1;
  tl::input<struct z_tag, double, 2, 1> z;
  tl::input<struct x_tag, double, 1> x;
#ifdef TAPELESS_EXPECT_FAIL
  auto y = target_t::with_weights(w0(z), b0(z))(x);
#else
  auto y = target_t::with_weights(w0(z), b0(z), tl::reshape<8, 1>(w1(z)), b1(z))(x);
#endif
  auto step = tl::gradient(tl::sum(y), w0);
  Eigen::MatrixXd Z(1, 2), X(5, 1);
  return step(tl::feed(z, Z), tl::feed(x, X)).loss() > 0 ? 0 : 1;
}
