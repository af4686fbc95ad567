// check::feed_data_outlives_the_run: a stored feed of a temporary matrix
// would read freed memory when the program runs. The twin names the matrix.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct net, double, tl::Dense<3, 1>> net;
  tl::input<struct x_tag, double, 3> x;
  auto step = tl::gradient(tl::sum(net(x)), net);
  Eigen::MatrixXd X = Eigen::MatrixXd::Ones(4, 3);
#ifdef TAPELESS_EXPECT_FAIL
  auto f = tl::feed(x, Eigen::MatrixXd(X * 2.0));
#else
  const Eigen::MatrixXd scaled = X * 2.0;
  auto f = tl::feed(x, scaled);
#endif
  return step(f).loss() == 0 ? 0 : 1;
}
