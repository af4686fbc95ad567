// tl::gradients gives one part per loss, and each part goes where a program
// of one loss would. Three mistakes with a GAN's two losses:
//   TAPELESS_EXPECT_FAIL_MIXED  check::gradients_match_optimizer: the
//                               generator's optimizer stepped with the
//                               discriminator's part, the same error as
//                               with two programs;
//   TAPELESS_EXPECT_FAIL        check::gradients_are_of_one_loss: the whole
//                               program given to the discriminator's
//                               optimizer instead of its part;
//   TAPELESS_EXPECT_FAIL_CLIP   the same, given to clip_grad_norm.

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
#if defined(TAPELESS_EXPECT_FAIL_MIXED)
  g_opt.step(d);
#elif defined(TAPELESS_EXPECT_FAIL)
  d_opt.step(step);
#elif defined(TAPELESS_EXPECT_FAIL_CLIP)
  tl::clip_grad_norm(step, 1.0, discriminator);
#else
  tl::clip_grad_norm(step.part<0>(), 1.0, discriminator);
  d_opt.step(d);
  g_opt.step(g);
#endif
  return d.loss() >= 0 && g.loss() >= 0 && d_opt.steps() + g_opt.steps() == 2 ? 0 : 1;
}
