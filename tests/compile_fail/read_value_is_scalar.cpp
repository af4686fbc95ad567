// check::read_value_is_scalar: loss() of a program whose expression is not
// 1x1 (predictions) would silently be the first element.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct net, double, tl::Dense<3, 2>> net;
  tl::input<struct x_tag, double, 3> x;
  Eigen::MatrixXd X = Eigen::MatrixXd::Ones(4, 3);
#ifdef TAPELESS_EXPECT_FAIL
  auto predict = tl::evaluate(net(x));
#else
  auto predict = tl::evaluate(tl::mean(net(x)));
#endif
  return predict(tl::feed(x, X)).loss() == 0 ? 0 : 1;
}
