// check::model_has_layers: a model declared without its layers.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

#ifdef TAPELESS_EXPECT_FAIL
using regressor = tl::model<struct net, double>;
#else
using regressor = tl::model<struct net, double, tl::Dense<2, 1>>;
#endif

int main() {
  regressor net;
  tl::input<struct x_tag, double, 2> x;
  tl::input<struct t_tag, double, 1> t;
  auto step = tl::gradient(tl::mse(net(x), t), net);
  Eigen::MatrixXd X(8, 2), T(8, 1);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  return g.loss() > 0 ? 0 : 1;
}
