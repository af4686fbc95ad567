// check::slice_is_inside: columns 2 and 3 of a 3-column expression.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct net, double, tl::Dense<2, 3>> net;
  tl::input<struct x_tag, double, 2> x;
#ifdef TAPELESS_EXPECT_FAIL
  auto tail = tl::slice<2, 2>(net(x));
#else
  auto tail = tl::slice<1, 2>(net(x));
#endif
  auto step = tl::gradient(tl::sum(tail), net.layer<0>().weight);
  Eigen::MatrixXd X = Eigen::MatrixXd::Ones(4, 2);
  return step(tl::feed(x, X)).loss() == 0 ? 0 : 1;
}
