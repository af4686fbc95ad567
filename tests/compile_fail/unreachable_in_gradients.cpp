// check::loss_uses_parameters_past_stop_gradient, inside tl::gradients:
// each request is checked as tl::gradient checks it. The discriminator's
// loss reads the generator's samples through stop_gradient, and the
// generator is requested from it anyway: the same error, naming the
// generator's parameters; the generator's own request is fine.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct generator, double, tl::Dense<2, 3, tl::Tanh>> gen;
  tl::model<struct critic, double, tl::Dense<3, 1>> critic;
  tl::input<struct z_tag, double, 2> z;
  tl::input<struct t_tag, double, 1> t;
  auto d_loss = tl::mse(critic(tl::stop_gradient(gen(z))), t);
  auto g_loss = tl::mean(tl::square(critic(gen(z))));
#ifdef TAPELESS_EXPECT_FAIL
  auto step = tl::gradients(tl::of(d_loss, critic, gen), tl::of(g_loss, gen));
#else
  auto step = tl::gradients(tl::of(d_loss, critic), tl::of(g_loss, gen));
#endif
  Eigen::MatrixXd Z(8, 2), T(8, 1);
  const auto& [d, g] = step(tl::feed(z, Z), tl::feed(t, T));
  return d[critic.layer<0>().weight].norm() + g[gen.layer<0>().weight].norm() > 0 ? 0 : 1;
}
