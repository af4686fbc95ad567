// check::reshape_keeps_size: a hypernetwork's 1 x 6 output cannot become a
// 3 x 3 weight.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct hyper, double, tl::Dense<2, 6>> h;
  tl::input<struct z_tag, double, 2, 1> z;
#ifdef TAPELESS_EXPECT_FAIL
  auto w = tl::reshape<3, 3>(h(z));
#else
  auto w = tl::reshape<3, 2>(h(z));
#endif
  auto step = tl::gradient(tl::sum(tl::square(w)), h);
  Eigen::MatrixXd Z(1, 2);
  return step(tl::feed(z, Z)).loss() > 0 ? 0 : 1;
}
