// check::broadcast_operand_is_a_row: only a 1 x C row is repeated over a
// batch; a weight matrix is not a row.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct net, double, tl::Dense<3, 3>> net;
  tl::input<struct x_tag, double, 3> x;
  auto h = net(x);
#ifdef TAPELESS_EXPECT_FAIL
  auto shifted = h + tl::broadcast_rows(net.layer<0>().weight, h);
#else
  auto shifted = h + tl::broadcast_rows(net.layer<0>().bias, h);
#endif
  auto step = tl::gradient(tl::sum(shifted), net);
  Eigen::MatrixXd X(5, 3);
  return step(tl::feed(x, X)).loss() > 0 ? 0 : 1;
}
