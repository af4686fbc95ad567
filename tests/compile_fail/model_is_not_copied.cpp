// check::model_is_not_copied: `auto c = b;` would make a second object with
// b's identity, whose gradient requests would silently be b's. Copying by
// construction (TAPELESS_EXPECT_FAIL) and by assignment
// (TAPELESS_EXPECT_FAIL_ASSIGN) fail; the twin copies the values into a
// model with its own tag.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

using model_b_t = tl::model<struct model_b, double, tl::Dense<2, 5>>;
using model_c_t = tl::model<struct model_c, double, tl::Dense<2, 5>>;

int main() {
  model_b_t b;
#if defined(TAPELESS_EXPECT_FAIL)
  model_b_t c = b;
#elif defined(TAPELESS_EXPECT_FAIL_ASSIGN)
  model_b_t c;
  c = b;
#else
  model_c_t c;
  c.copy_values_from(b);
#endif
  return c.layer<0>().weight.value.norm() == 0 ? 0 : 1;
}
