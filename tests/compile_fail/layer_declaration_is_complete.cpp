// check::layer_declaration_is_complete: a user's layer declaration without
// the member template that names its layer type.

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
#ifndef TAPELESS_EXPECT_FAIL
  template <class Tag, std::size_t Index, class S, bool Trainable>
  using layer = shift_layer<Tag, Index, S, Trainable>;
#endif
};

int main() {
  tl::model<struct net, double, Shift> net;
  tl::input<struct x_tag, double, 3> x;
  auto step = tl::gradient(tl::sum(net(x)), net);
  Eigen::MatrixXd X(4, 3);
  return step(tl::feed(x, X)).loss() > 0 ? 0 : 1;
}
