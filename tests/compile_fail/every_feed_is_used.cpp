// check::every_feed_is_used: per-sample weights fed to a program whose loss
// does not read them.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct net, double, tl::Dense<2, 4, tl::ReLU>, tl::Dense<4, 1>> net;
  tl::input<struct x_tag, double, 2> x;
  tl::input<struct t_tag, double, 1> t;
  tl::input<struct w_tag, double, 1> w;
  auto step = tl::gradient(tl::mse(net(x), t), net);
  Eigen::MatrixXd X(8, 2), T(8, 1), W(8, 1);
#ifdef TAPELESS_EXPECT_FAIL
  const auto& g = step(tl::feed(x, X), tl::feed(t, T), tl::feed(w, W));
#else
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  (void)w;
  (void)W;
#endif
  return g.loss() > 0 ? 0 : 1;
}
