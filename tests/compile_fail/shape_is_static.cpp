// check::shape_is_static: transposing a batch would make its run-time row
// count a column count; a weight (a static shape) can be transposed.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct enc, double, tl::Dense<3, 3>> enc;
  tl::input<struct x_tag, double, 3> x;
#ifdef TAPELESS_EXPECT_FAIL
  auto loss = tl::sum(tl::transpose(enc(x)));
#else
  auto loss = tl::sum(tl::matmul(enc(x), tl::transpose(enc.layer<0>().weight)));
#endif
  auto step = tl::gradient(loss, enc);
  Eigen::MatrixXd X(5, 3);
  return step(tl::feed(x, X)).loss() > 0 ? 0 : 1;
}
