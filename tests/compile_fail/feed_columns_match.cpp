// check::feed_columns_match: fixed-size data with 3 columns fed to an input
// with 2 features.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct net, double, tl::Dense<2, 4, tl::ReLU>, tl::Dense<4, 1>> net;
  tl::input<struct x_tag, double, 2> x;
  tl::input<struct t_tag, double, 1> t;
  auto step = tl::gradient(tl::mse(net(x), t), net);
#ifdef TAPELESS_EXPECT_FAIL
  Eigen::Matrix<double, 8, 3> X;
#else
  Eigen::Matrix<double, 8, 2> X;
#endif
  Eigen::Matrix<double, 8, 1> T;
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  return g.loss() > 0 ? 0 : 1;
}
