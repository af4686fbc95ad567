// check::loss_uses_parameters with two culprits: a request that mixes one
// connected parameter with two disconnected ones (of a copied model) must
// list both. The twin asks for zero gradients instead, as the message says.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct b, double, tl::Dense<2, 4, tl::Tanh>, tl::Dense<4, 1>> b;
  tl::model<struct c, double, tl::Dense<2, 4, tl::Tanh>, tl::Dense<4, 1>> c;
  c.copy_values_from(b);
  tl::input<struct x_tag, double, 2> x;
  tl::input<struct t_tag, double, 1> t;
  auto loss = tl::mse(b(x), t);
#ifdef TAPELESS_EXPECT_FAIL
  auto step = tl::gradient(loss, b.layer<0>().weight, c.layer<0>().weight, c.layer<1>().bias);
#else
  auto step = tl::gradient(tl::unconnected_as_zero, loss, b.layer<0>().weight, c.layer<0>().weight,
                           c.layer<1>().bias);
#endif
  Eigen::MatrixXd X(8, 2), T(8, 1);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  return g[b.layer<0>().weight].norm() > 0 ? 0 : 1;
}
