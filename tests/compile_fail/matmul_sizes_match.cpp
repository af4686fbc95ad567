// check::matmul_sizes_match: the left operand's columns differ from the
// right operand's rows (a 3 x 2 factor where 4 x 2 is needed).

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct adapter, double, tl::Dense<3, 4>, tl::Dense<4, 2>> adapter;
  tl::input<struct x_tag, double, 3> x;
#ifdef TAPELESS_EXPECT_FAIL
  auto product = tl::matmul(adapter.layer<0>().weight, adapter.layer<0>().weight);
#else
  auto product = tl::matmul(adapter.layer<0>().weight, adapter.layer<1>().weight);
#endif
  auto step = tl::gradient(tl::sum(tl::matmul(x, product)), adapter.layer<0>().weight,
                           adapter.layer<1>().weight);
  Eigen::MatrixXd X(5, 3);
  return step(tl::feed(x, X)).loss() > 0 ? 0 : 1;
}
