// check::residual_widths_match: a residual block whose output is narrower
// than its input, as a function of a model (TAPELESS_EXPECT_FAIL) and as a
// declaration in a model's type (TAPELESS_EXPECT_FAIL_DECLARATION); the
// twin gives the block as many outputs as inputs.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
#ifdef TAPELESS_EXPECT_FAIL
  tl::model<struct block, double, tl::Dense<4, 8, tl::ReLU>, tl::Dense<8, 3>> f;
#else
  tl::model<struct block, double, tl::Dense<4, 8, tl::ReLU>, tl::Dense<8, 4>> f;
#endif
#ifdef TAPELESS_EXPECT_FAIL_DECLARATION
  tl::model<struct net, double, tl::Dense<2, 4>, tl::Residual<tl::Dense<4, 3, tl::Tanh>>> net;
#else
  tl::model<struct net, double, tl::Dense<2, 4>, tl::Residual<tl::Dense<4, 4, tl::Tanh>>> net;
#endif
  tl::input<struct x_tag, double, 2> x;
  auto step = tl::gradient(tl::sum(tl::residual(f, net(x))), f, net);
  Eigen::MatrixXd X = Eigen::MatrixXd::Ones(3, 2);
  return step(tl::feed(x, X)).loss() >= 0 ? 0 : 1;
}
