// check::drop_probability_is_valid: dropout with a drop probability of 1,
// which would drop everything and scale by 1 / 0; the twin drops a half.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::random_engine rng(1);
  tl::dropout_control control(rng);
  tl::input<struct x_tag, double, 3> x;
#ifdef TAPELESS_EXPECT_FAIL
  using p = std::ratio<1>;
#else
  using p = std::ratio<1, 2>;
#endif
  auto value = tl::evaluate(tl::sum(tl::dropout<p>(x, control)));
  Eigen::MatrixXd X = Eigen::MatrixXd::Ones(2, 3);
  return value(tl::feed(x, X)).loss() >= 0 ? 0 : 1;
}
