// check::op_is_complete: a user's op without a shape rule.

#include <string_view>

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

struct cube_op {
  static constexpr std::string_view name = "cube";
#ifndef TAPELESS_EXPECT_FAIL
  using shape_rule = tl::shape_rules::like_first;
#endif
  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    y.array() = x.array().cube();
  }
  template <class G, class Y, class X, class SX>
  void backward(G& g, const Y&, const X& x, SX sx) const {
    sx(3 * x.array().square() * g.array());
  }
};

int main() {
  tl::variable<struct v_tag, double, 3> v;
  auto step = tl::gradient(tl::sum(tl::make_expr(cube_op{}, v)), v);
  Eigen::MatrixXd V(4, 3);
  return step(tl::feed(v, V)).loss() > 0 ? 0 : 1;
}
