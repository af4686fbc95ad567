// check::scalars_match, between the losses of tl::gradients: one program
// holds values of one scalar type, and a float model's loss is put with a
// double model's.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct wide, double, tl::Dense<2, 1>> a;
#ifdef TAPELESS_EXPECT_FAIL
  tl::model<struct narrow, float, tl::Dense<2, 1>> b;
  tl::input<struct y_tag, float, 2> y;
  Eigen::MatrixXf Y(8, 2);
#else
  tl::model<struct narrow, double, tl::Dense<2, 1>> b;
  tl::input<struct y_tag, double, 2> y;
  Eigen::MatrixXd Y(8, 2);
#endif
  tl::input<struct x_tag, double, 2> x;
  auto step =
      tl::gradients(tl::of(tl::mean(tl::square(a(x))), a), tl::of(tl::mean(tl::square(b(y))), b));
  Eigen::MatrixXd X(8, 2);
  const auto& g = step(tl::feed(x, X), tl::feed(y, Y));
  return g.part<0>().loss() > 0 ? 0 : 1;
}
