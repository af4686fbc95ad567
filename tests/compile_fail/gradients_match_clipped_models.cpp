// check::gradients_match_clipped_models: the GAN-style pattern with the
// models mixed up. The discriminator's loss is differentiated with respect
// to the discriminator, and its gradients are clipped as the generator's:
// nothing would be clipped, and the norm would be 0.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct generator, float, tl::Dense<2, 4, tl::Tanh>> generator;
  tl::model<struct discriminator, float, tl::Dense<4, 1, tl::Sigmoid>> discriminator;
  tl::input<struct z_tag, float, 2> z;
  tl::input<struct t_tag, float, 1> t;
  auto d_step = tl::gradient(tl::mse(discriminator(generator(z)), t), discriminator);
  Eigen::MatrixXf Z = Eigen::MatrixXf::Ones(8, 2), T = Eigen::MatrixXf::Zero(8, 1);
  d_step(tl::feed(z, Z), tl::feed(t, T));
#ifdef TAPELESS_EXPECT_FAIL
  const double norm = tl::clip_grad_norm(d_step, 1.0, generator);
#else
  const double norm = tl::clip_grad_norm(d_step, 1.0, discriminator);
#endif
  return norm >= 0 ? 0 : 1;
}
