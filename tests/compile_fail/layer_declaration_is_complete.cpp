// check::layer_declaration_is_complete: a user's layer declaration without
// the member template that names its layer type, in a model's type
// (TAPELESS_EXPECT_FAIL) and wrapped in Residual or Frozen
// (TAPELESS_EXPECT_FAIL_RESIDUAL, TAPELESS_EXPECT_FAIL_FROZEN): each the
// one error, named once.

#include <cstddef>
#include <tuple>

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

template <class Tag, std::size_t Index, class S, bool Trainable>
using shift_layer = tl::Dense<3, 3>::layer<Tag, Index, S, Trainable>;

struct Shift {
  static constexpr int in = 3;
  static constexpr int out = 3;
  static constexpr bool trainable = true;
  using unfrozen = Shift;
#if !defined(TAPELESS_EXPECT_FAIL) && !defined(TAPELESS_EXPECT_FAIL_RESIDUAL) && \
    !defined(TAPELESS_EXPECT_FAIL_FROZEN)
  template <class Tag, std::size_t Index, class S, bool Trainable>
  using layer = shift_layer<Tag, Index, S, Trainable>;
#endif
};

#if defined(TAPELESS_EXPECT_FAIL_RESIDUAL)
using declaration = tl::Residual<Shift>;
#elif defined(TAPELESS_EXPECT_FAIL_FROZEN)
using declaration = tl::Frozen<Shift>;
#else
using declaration = Shift;
#endif

int main() {
  tl::model<struct net, double, tl::Dense<2, 3>, declaration> net;
  tl::input<struct x_tag, double, 2> x;
  auto step = tl::gradient(tl::sum(net(x)), net);
  Eigen::MatrixXd X(4, 2);
  return step(tl::feed(x, X)).loss() > 0 ? 0 : 1;
}
