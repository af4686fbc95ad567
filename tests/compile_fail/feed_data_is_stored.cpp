// check::feed_data_is_stored: an Eigen expression fed directly; it holds no
// values to read in place. The twin evaluates it into a named matrix.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct net, double, tl::Dense<3, 1>> net;
  tl::input<struct x_tag, double, 3> x;
  auto step = tl::gradient(tl::sum(net(x)), net);
  Eigen::MatrixXd X = Eigen::MatrixXd::Ones(4, 3);
#ifdef TAPELESS_EXPECT_FAIL
  const auto& g = step(tl::feed(x, 2.0 * X));
#else
  const Eigen::MatrixXd scaled = 2.0 * X;
  const auto& g = step(tl::feed(x, scaled));
#endif
  return g.loss() == 0 ? 0 : 1;
}
