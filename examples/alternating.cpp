// Two models, two losses, one program: the pattern of a GAN, and of the
// motivating question's third example (one tape per model). A generator G
// maps noise z to numbers; a discriminator D scores numbers, 1 for real,
// 0 for generated. Least-squares GAN losses (Mao et al., 2017):
//   D's loss: mean (D(real) - 1)^2 + mean D(G(z))^2    w.r.t. D only
//   G's loss: mean (D(G(z)) - 1)^2                      w.r.t. G only
// Both losses read the same D(G(z)): tl::gradients computes it once per
// step, then D's gradient from D's loss and G's from G's loss, each its own
// reverse sweep. D's loss depends on G too, but its part of the program
// does not hold G's gradients (they were not asked for), and D's optimizer
// cannot be stepped with G's part: that mix-up does not compile. D appears
// twice in its loss, with one set of parameters: their gradient is the sum
// of both uses.
//
// Both models are updated from the same batch, simultaneously: a step's
// two gradients are taken at the weights before either update. This
// example used to alternate: D stepped first, then G's loss evaluated
// through the updated D on fresh noise, which takes a second forward pass
// (two tl::gradient programs).
//
// The real data are draws from N(3, 0.5^2); the generator starts near 0
// and must learn to produce numbers with the real mean and spread.
//
//   alternating [--epochs N] [--expect TOLERANCE]
//   (epochs: hundreds of steps; the run fails if the generated mean is
//   further than TOLERANCE from 3)

#include <cmath>
#include <cstdio>

#include <tapeless/tapeless.hpp>

#include "options.hpp"

namespace tl = tapeless;

using generator_t =
    tl::model<struct generator, float, tl::Dense<4, 16, tl::Tanh>, tl::Dense<16, 1>>;
using discriminator_t =
    tl::model<struct discriminator, float, tl::Dense<1, 16, tl::Tanh>, tl::Dense<16, 1>>;

int main(int argc, char** argv) {
  const auto opt = examples::parse(argc, argv, {.epochs = 60, .expect = 0.15});
  constexpr int batch = 64;
  generator_t G;
  discriminator_t D;
  tl::random_engine rng(3);
  tl::initialize(G, rng);
  tl::initialize(D, rng);

  const tl::input<struct noise, float, 4, batch> z;
  const tl::input<struct real, float, 1, batch> x;
  const tl::input<struct ones, float, 1, batch> one;  // the target "real"
  const auto fake = G(z);
  const auto d_loss = tl::mean(tl::square(D(x) - one)) + tl::mean(tl::square(D(fake)));
  const auto g_loss = tl::mean(tl::square(D(fake) - one));
  auto step = tl::gradients(tl::of(d_loss, D), tl::of(g_loss, G));
  auto sample = tl::evaluate(fake);
  auto d_opt = tl::make_optimizer(tl::adam{.learning_rate = 5e-4, .beta1 = 0.5}, D);
  auto g_opt = tl::make_optimizer(tl::adam{.learning_rate = 5e-4, .beta1 = 0.5}, G);

  Eigen::Matrix<float, batch, 4> Z;
  Eigen::Matrix<float, batch, 1> X;
  const Eigen::Matrix<float, batch, 1> One = Eigen::Matrix<float, batch, 1>::Ones();
  auto draw = [&] {
    for (int i = 0; i < batch; ++i) {
      X(i) = static_cast<float>(3.0 + 0.5 * rng.normal());
      for (int j = 0; j < 4; ++j) Z(i, j) = static_cast<float>(rng.normal());
    }
  };
  // Mean and standard deviation of 20 batches of generated numbers.
  auto generated = [&] {
    double sum = 0, sum2 = 0;
    for (int k = 0; k < 20; ++k) {
      draw();
      const auto& y = sample(tl::feed(z, Z)).value();
      sum += y.sum();
      sum2 += y.squaredNorm();
    }
    const double n = 20.0 * batch, mean = sum / n;
    return std::pair{mean, std::sqrt(std::max(0.0, sum2 / n - mean * mean))};
  };

  const int steps_per_epoch = 100;
  for (int epoch = 1; epoch <= opt.epochs; ++epoch) {
    double d_sum = 0, g_sum = 0;
    for (int s = 0; s < steps_per_epoch; ++s) {
      draw();
      const auto& [d, g] = step(tl::feed(x, X), tl::feed(z, Z), tl::feed(one, One));
      d_opt.step(d);
      g_opt.step(g);
      d_sum += d.loss();
      g_sum += g.loss();
    }
    if (epoch % 5 == 0 || epoch == opt.epochs) {
      const auto [mean, sd] = generated();
      std::printf(
          "epoch %3d  D loss %.3f  G loss %.3f  generated mean %.3f sd %.3f (real 3, 0.5)\n", epoch,
          d_sum / steps_per_epoch, g_sum / steps_per_epoch, mean, sd);
    }
  }
  const auto [mean, sd] = generated();
  if (std::abs(mean - 3.0) > opt.expect) {
    std::printf("FAILED: generated mean %.3f is further than %.3f from 3\n", mean, opt.expect);
    return 1;
  }
}
