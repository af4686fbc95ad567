// check::loss_uses_parameters, case (a): a parameter of a model that is not
// in the loss at all. Of a generator and a critic, the critic's loss is built
// from the critic only, and the generator's weight is requested with it.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct generator, double, tl::Dense<2, 4, tl::Tanh>, tl::Dense<4, 2>> gen;
  tl::model<struct critic, double, tl::Dense<2, 4, tl::ReLU>, tl::Dense<4, 1>> critic;
  tl::input<struct sample_tag, double, 2> sample;
  tl::input<struct label_tag, double, 1> label;
  auto critic_loss = tl::mse(critic(sample), label);
#ifdef TAPELESS_EXPECT_FAIL
  auto step = tl::gradient(critic_loss, critic.layer<0>().weight, gen.layer<0>().weight);
#else
  auto step = tl::gradient(critic_loss, critic.layer<0>().weight);
#endif
  Eigen::MatrixXd S(8, 2), L(8, 1);
  const auto& g = step(tl::feed(sample, S), tl::feed(label, L));
  return g[critic.layer<0>().weight].norm() > 0 ? 0 : 1;
}
