// check::every_input_is_fed: a program run without data for the target.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct net, double, tl::Dense<2, 4, tl::ReLU>, tl::Dense<4, 1>> net;
  tl::input<struct x_tag, double, 2> x;
  tl::input<struct t_tag, double, 1> t;
  auto step = tl::gradient(tl::mse(net(x), t), net);
  Eigen::MatrixXd X(8, 2), T(8, 1);
#ifdef TAPELESS_EXPECT_FAIL
  const auto& g = step(tl::feed(x, X));
#else
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
#endif
  return g.loss() > 0 ? 0 : 1;
}
