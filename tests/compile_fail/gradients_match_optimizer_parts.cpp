// check::gradients_match_optimizer, with tl::gradients: one program gives
// the discriminator's and the generator's gradients, and each part goes to
// an optimizer. Mixed up, the generator's optimizer is stepped with the
// discriminator's part: the same error as with two programs.

#include <tapeless/tapeless.hpp>
#include <tapeless/train/adam.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct generator, float, tl::Dense<2, 4, tl::Tanh>> generator;
  tl::model<struct discriminator, float, tl::Dense<4, 1, tl::Sigmoid>> discriminator;
  tl::input<struct z_tag, float, 2> z;
  tl::input<struct t_tag, float, 1> t;
  auto d_loss = tl::mse(discriminator(generator(z)), t);
  auto g_loss = tl::mean(tl::square(discriminator(generator(z))));
  auto step = tl::gradients(tl::of(d_loss, discriminator), tl::of(g_loss, generator));
  auto g_opt = tl::make_optimizer(tl::adam{}, generator);
  auto d_opt = tl::make_optimizer(tl::adam{}, discriminator);
  Eigen::MatrixXf Z = Eigen::MatrixXf::Ones(8, 2), T = Eigen::MatrixXf::Zero(8, 1);
  const auto& [d, g] = step(tl::feed(z, Z), tl::feed(t, T));
#ifdef TAPELESS_EXPECT_FAIL
  g_opt.step(d);
#else
  g_opt.step(g);
#endif
  d_opt.step(d);
  return d.loss() >= 0 && g_opt.steps() == 1 ? 0 : 1;
}
