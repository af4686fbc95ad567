// check::labels_are_one_column: one-hot targets given to a class-label
// loss; the twin gives one class index per row.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct net, double, tl::Dense<3, 4>> net;
  tl::input<struct x_tag, double, 3> x;
#ifdef TAPELESS_EXPECT_FAIL
  tl::input<struct labels, double, 4> y;
#else
  tl::input<struct labels, double, 1> y;
#endif
  auto step = tl::gradient(tl::cross_entropy(net(x), y), net);
  Eigen::MatrixXd X = Eigen::MatrixXd::Ones(2, 3), Y = Eigen::MatrixXd::Zero(2, y.cols);
  return step(tl::feed(x, X), tl::feed(y, Y)).loss() > 0 ? 0 : 1;
}
