// check::argument_is_differentiable: the gradient with respect to the input
// (a saliency map) requested for a tl::input, which is data.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct net, double, tl::Dense<2, 4, tl::ReLU>, tl::Dense<4, 1>> net;
#ifdef TAPELESS_EXPECT_FAIL
  tl::input<struct x_tag, double, 2> x;
#else
  tl::variable<struct x_tag, double, 2> x;
#endif
  tl::input<struct t_tag, double, 1> t;
  auto step = tl::gradient(tl::mse(net(x), t), x);
  Eigen::MatrixXd X(8, 2), T(8, 1);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  return g[x].norm() > 0 ? 0 : 1;
}
