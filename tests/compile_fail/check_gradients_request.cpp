// check::gradient_check_is_in_double (a float graph, TAPELESS_EXPECT_FAIL)
// and check::checked_objects_are_mutable (a const model,
// TAPELESS_EXPECT_FAIL_CONST): what tl::check_gradients refuses.

#include <tapeless/inspect/check_gradients.hpp>
#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

#ifdef TAPELESS_EXPECT_FAIL
using scalar = float;
#else
using scalar = double;
#endif

int main() {
  tl::model<struct net, scalar, tl::Dense<3, 2, tl::Tanh>> net;
#ifdef TAPELESS_EXPECT_FAIL_CONST
  const auto& checked = net;
#else
  auto& checked = net;
#endif
  tl::input<struct x_tag, scalar, 3> x;
  Eigen::Matrix<scalar, -1, -1> X = Eigen::Matrix<scalar, -1, -1>::Ones(4, 3);
  const auto report = tl::check_gradients(tl::sum(net(x)), tl::wrt(checked), tl::feed(x, X));
  return report.passed() ? 0 : 1;
}
