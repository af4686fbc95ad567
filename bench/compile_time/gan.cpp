// Compile-time benchmark of tl::gradients: a GAN step, generator and
// discriminator of TAPELESS_DEPTH / 2 Dense layers each (width 16, tanh,
// run-time batch, float), least-squares losses. By default one program
// (tl::gradients); with TAPELESS_TWO_PROGRAMS, the two tl::gradient
// programs it replaces. Compiling this file is the measurement; running it
// checks that the programs were really instantiated.
#include <cstdio>

#ifndef TAPELESS_DEPTH
#define TAPELESS_DEPTH 8
#endif

#include "models.hpp"

int main() {
  model_t<struct generator> G;
  model_t<struct discriminator> D;
  G.for_each_parameter([](auto& p) { p.value.setConstant(0.01f); });
  D.for_each_parameter([](auto& p) { p.value.setConstant(0.02f); });
  tl::input<struct z, float, 16> z;
  tl::input<struct x, float, 16> x;
  tl::input<struct one, float, 16> one;
  const auto d_loss = tl::mse(D(x), one) + tl::mean(tl::square(D(G(z))));
  const auto g_loss = tl::mse(D(G(z)), one);
  Eigen::MatrixXf Z = Eigen::MatrixXf::Ones(4, 16), X = Z, One = Z;
#ifdef TAPELESS_TWO_PROGRAMS
  auto d_step = tl::gradient(d_loss, D);
  auto g_step = tl::gradient(g_loss, G);
  const auto& d = d_step(tl::feed(x, X), tl::feed(z, Z), tl::feed(one, One));
  const auto& g = g_step(tl::feed(z, Z), tl::feed(one, One));
#else
  auto step = tl::gradients(tl::of(d_loss, D), tl::of(g_loss, G));
  const auto& [d, g] = step(tl::feed(x, X), tl::feed(z, Z), tl::feed(one, One));
#endif
  std::printf("depth %d: losses %g %g, |dW| %g %g\n", TAPELESS_DEPTH, static_cast<double>(d.loss()),
              static_cast<double>(g.loss()), static_cast<double>(d[D.layer<0>().weight].norm()),
              static_cast<double>(g[G.layer<0>().weight].norm()));
  return d.loss() > 0 ? 0 : 1;
}
