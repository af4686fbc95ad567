// check::layer_declares_sizes, layer_lists_parameters and layer_applies:
// a user's layer type with one requirement missing each
// (TAPELESS_EXPECT_FAIL: no scalar; _PARAMETERS: no parameters();
// _APPLY: no with_weights). The twin has all three.

#include <cstddef>
#include <tuple>

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

template <class Tag, std::size_t Index, class S>
struct offset_layer {
#ifndef TAPELESS_EXPECT_FAIL
  using scalar = S;
#endif
  static constexpr int in = 3;
  static constexpr int out = 3;
  static constexpr bool trainable = true;
  tl::parameter<tl::param<Tag, Index, tl::bias>, S, 1, 3> bias;
#ifndef TAPELESS_EXPECT_FAIL_PARAMETERS
  auto parameters() { return std::tie(bias); }
  auto parameters() const { return std::tie(bias); }
#endif
  template <tl::Expression X>
  auto operator()(const X& x) const {
    return x + tl::broadcast_rows(bias, x);
  }
#ifndef TAPELESS_EXPECT_FAIL_APPLY
  template <tl::Expression B>
  static auto with_weights(const B& b) {
    return [b](const auto& x) { return x + tl::broadcast_rows(b, x); };
  }
#endif
};

struct Offset {
  static constexpr int in = 3;
  static constexpr int out = 3;
  static constexpr bool trainable = true;
  using unfrozen = Offset;
  template <class Tag, std::size_t Index, class S, bool>
  using layer = offset_layer<Tag, Index, S>;
};

int main() {
  tl::model<struct net, double, Offset> net;
  tl::input<struct x_tag, double, 3> x;
  auto step = tl::gradient(tl::sum(net(x)), net);
  Eigen::MatrixXd X(4, 3);
  return step(tl::feed(x, X)).loss() > 0 ? 0 : 1;
}
