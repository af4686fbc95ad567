// check::activation_is_complete: a user's activation without derivative.

#include <string_view>

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

struct Softsign {
  static constexpr std::string_view name = "softsign";
  static constexpr bool is_identity = false;
  template <class X>
  static auto apply(const X& x) {
    return x / (1 + x.abs());
  }
#ifndef TAPELESS_EXPECT_FAIL
  // f'(x) = 1 / (1 + |x|)^2 = (1 - |y|)^2.
  template <class Y>
  static auto derivative(const Y& y) {
    return (1 - y.abs()).square();
  }
#endif
};

int main() {
  tl::model<struct net, double, tl::Dense<3, 2, Softsign>> net;
  tl::input<struct x_tag, double, 3> x;
  auto step = tl::gradient(tl::sum(net(x)), net);
  Eigen::MatrixXd X(4, 3);
  return step(tl::feed(x, X)).loss() > 0 ? 0 : 1;
}
