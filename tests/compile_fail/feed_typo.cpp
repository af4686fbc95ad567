// A typo in a feed: x fed twice, t not at all. Both running checks report
// it, every_input_is_fed first (t) and every_feed_is_used second (x).

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct net, double, tl::Dense<2, 4, tl::ReLU>, tl::Dense<4, 1>> net;
  tl::input<struct x_tag, double, 2> x;
  tl::input<struct t_tag, double, 1> t;
  auto step = tl::gradient(tl::mse(net(x), t), net);
  Eigen::MatrixXd X(8, 2), T(8, 1);
#ifdef TAPELESS_EXPECT_FAIL
  const auto& g = step(tl::feed(x, X), tl::feed(x, T));
#else
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
#endif
  return g.loss() > 0 ? 0 : 1;
}
