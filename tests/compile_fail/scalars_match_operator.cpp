// check::scalars_match, in an operator: a double prediction compared with a
// float target.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct net, double, tl::Dense<2, 4, tl::ReLU>, tl::Dense<4, 1>> net;
  tl::input<struct x_tag, double, 2> x;
#ifdef TAPELESS_EXPECT_FAIL
  tl::input<struct t_tag, float, 1> t;
  Eigen::MatrixXf T(8, 1);
#else
  tl::input<struct t_tag, double, 1> t;
  Eigen::MatrixXd T(8, 1);
#endif
  auto step = tl::gradient(tl::mse(net(x), t), net);
  Eigen::MatrixXd X(8, 2);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  return g.loss() > 0 ? 0 : 1;
}
