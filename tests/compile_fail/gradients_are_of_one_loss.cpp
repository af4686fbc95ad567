// check::gradients_are_of_one_loss: a tl::gradients program of a GAN's two
// losses is given whole to the discriminator's optimizer (or to
// clip_grad_norm) instead of the discriminator's part.

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
  auto d_opt = tl::make_optimizer(tl::adam{}, discriminator);
  Eigen::MatrixXf Z = Eigen::MatrixXf::Ones(8, 2), T = Eigen::MatrixXf::Zero(8, 1);
  step(tl::feed(z, Z), tl::feed(t, T));
#if defined(TAPELESS_EXPECT_FAIL)
  d_opt.step(step);
#elif defined(TAPELESS_EXPECT_FAIL_CLIP)
  tl::clip_grad_norm(step, 1.0, discriminator);
#else
  tl::clip_grad_norm(step.part<0>(), 1.0, discriminator);
  d_opt.step(step.part<0>());
#endif
  return d_opt.steps() == 1 ? 0 : 1;
}
