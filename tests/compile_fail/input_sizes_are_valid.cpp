// check::input_sizes_are_valid: an input declared with a batch size of 0,
// meant as "any batch size" (which is tl::dynamic, the default).

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct net, double, tl::Dense<2, 4, tl::ReLU>, tl::Dense<4, 1>> net;
#ifdef TAPELESS_EXPECT_FAIL
  tl::input<struct x_tag, double, 2, 0> x;
#else
  tl::input<struct x_tag, double, 2, tl::dynamic> x;
#endif
  tl::input<struct t_tag, double, 1> t;
  auto step = tl::gradient(tl::mse(net(x), t), net);
  Eigen::MatrixXd X(8, 2), T(8, 1);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  return g.loss() > 0 ? 0 : 1;
}
