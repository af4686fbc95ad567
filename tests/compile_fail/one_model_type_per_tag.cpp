// check::one_model_type_per_tag: a model declaration copied and edited but
// keeping its tag. Both types' parameters would be one node of two shapes.
// In one loss (TAPELESS_EXPECT_FAIL), requested against a loss built from
// the other type (TAPELESS_EXPECT_FAIL_REQUEST), read from a program that
// requested the other (TAPELESS_EXPECT_FAIL_READ); the twin gives the
// second declaration its own tag.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

using encoder_t = tl::model<struct encoder, double, tl::Dense<2, 5, tl::Tanh>>;
#if defined(TAPELESS_EXPECT_FAIL) || defined(TAPELESS_EXPECT_FAIL_REQUEST) || \
    defined(TAPELESS_EXPECT_FAIL_READ)
using wider_t = tl::model<struct encoder, double, tl::Dense<2, 6, tl::Tanh>>;
#else
using wider_t = tl::model<struct wider, double, tl::Dense<2, 6, tl::Tanh>>;
#endif

int main() {
  encoder_t enc;
  wider_t wide;
  tl::input<struct x_tag, double, 2> x;
#if defined(TAPELESS_EXPECT_FAIL_REQUEST)
  auto loss = tl::sum(enc(x));
  auto step = tl::gradient(loss, wide);
#elif defined(TAPELESS_EXPECT_FAIL_READ)
  auto loss = tl::sum(enc(x));
  auto step = tl::gradient(loss, enc);
#else
  auto loss = tl::sum(enc(x)) + tl::sum(wide(x));
  auto step = tl::gradient(loss, enc);
#endif
  Eigen::MatrixXd X(8, 2);
  const auto& g = step(tl::feed(x, X));
#if defined(TAPELESS_EXPECT_FAIL_READ)
  return g[wide.layer<0>().weight].norm() > 0 ? 0 : 1;
#else
  return g[enc.layer<0>().weight].norm() > 0 ? 0 : 1;
#endif
}
