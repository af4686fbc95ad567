// check::loss_uses_parameters_not_a_twin, case (c), the motivating case: model c got
// b's weights with c.copy_values_from(b), the loss is built from b, and c's
// parameters are requested. Copying values creates no dependency, so every
// parameter of c is rejected.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct a, double, tl::Dense<5, 3>> a;
  tl::model<struct b, double, tl::Dense<2, 4, tl::Tanh>, tl::Dense<4, 5>> b;
  tl::model<struct c, double, tl::Dense<2, 4, tl::Tanh>, tl::Dense<4, 5>> c;
  c.copy_values_from(b);
  tl::input<struct x_tag, double, 2> x;
  tl::input<struct t_tag, double, 3> t;
  auto loss = tl::mse(a(b(x)), t);
#ifdef TAPELESS_EXPECT_FAIL
  auto step = tl::gradient(loss, c);
#else
  auto step = tl::gradient(loss, b);
#endif
  Eigen::MatrixXd X(8, 2), T(8, 3);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  return g.loss() > 0 ? 0 : 1;
}
