// check::feed_scalar_matches: float data fed to a double input.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct net, double, tl::Dense<2, 4, tl::ReLU>, tl::Dense<4, 1>> net;
  tl::input<struct x_tag, double, 2> x;
  tl::input<struct t_tag, double, 1> t;
  auto step = tl::gradient(tl::mse(net(x), t), net);
#ifdef TAPELESS_EXPECT_FAIL
  Eigen::MatrixXf X(8, 2);
#else
  Eigen::MatrixXd X(8, 2);
#endif
  Eigen::MatrixXd T(8, 1);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  return g.loss() > 0 ? 0 : 1;
}
