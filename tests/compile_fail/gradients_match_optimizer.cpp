// check::gradients_match_optimizer: the GAN-style pattern with the
// optimizers mixed up. The discriminator's loss is differentiated with
// respect to the discriminator, and the generator's optimizer is stepped
// with it: the step would change nothing.

#include <tapeless/tapeless.hpp>
#include <tapeless/train/adam.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct generator, float, tl::Dense<2, 4, tl::Tanh>> generator;
  tl::model<struct discriminator, float, tl::Dense<4, 1, tl::Sigmoid>> discriminator;
  tl::input<struct z_tag, float, 2> z;
  tl::input<struct t_tag, float, 1> t;
  auto d_loss = tl::mse(discriminator(generator(z)), t);
  auto d_step = tl::gradient(d_loss, discriminator);
  auto g_opt = tl::make_optimizer(tl::adam{}, generator);
  auto d_opt = tl::make_optimizer(tl::adam{}, discriminator);
  Eigen::MatrixXf Z = Eigen::MatrixXf::Ones(8, 2), T = Eigen::MatrixXf::Zero(8, 1);
  const auto& g = d_step(tl::feed(z, Z), tl::feed(t, T));
#ifdef TAPELESS_EXPECT_FAIL
  g_opt.step(g);
#else
  d_opt.step(g);
#endif
  return g.loss() >= 0 && g_opt.steps() == 0 ? 0 : 1;
}
