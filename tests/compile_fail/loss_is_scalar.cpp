// check::loss_is_scalar: the squared errors, not yet averaged, used as the
// loss.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct net, double, tl::Dense<2, 4, tl::ReLU>, tl::Dense<4, 1>> net;
  tl::input<struct x_tag, double, 2> x;
  tl::input<struct t_tag, double, 1> t;
#ifdef TAPELESS_EXPECT_FAIL
  auto loss = tl::square(net(x) - t);
#else
  auto loss = tl::mean(tl::square(net(x) - t));
#endif
  auto step = tl::gradient(loss, net);
  Eigen::MatrixXd X(8, 2), T(8, 1);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  return g.loss() > 0 ? 0 : 1;
}
