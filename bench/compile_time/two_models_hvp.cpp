// Compile-time benchmark, second order: the Hessian-vector product of an MSE
// loss with respect to both models of y = A(B(x)) along a direction (models
// VA, VB of the same architectures), as one program: the gradient of
// <tl::grad(loss, a, b), v>. A and B have TAPELESS_DEPTH / 2 Dense layers
// each (width 16, tanh, run-time batch, float), as two_models.cpp.
// Compiling this file is the measurement; running it checks that the
// program was really instantiated.
#include <cstdio>
#include <utility>

#ifndef TAPELESS_DEPTH
#define TAPELESS_DEPTH 2
#endif

#include "models.hpp"

// sum over the parameters p of m of sum(g[p] * v_p).
template <class G, class M, class V>
auto inner(const G& g, const M& m, const V& v) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return (... + (tl::sum(g[m.template layer<I>().weight] * v.template layer<I>().weight) +
                   tl::sum(g[m.template layer<I>().bias] * v.template layer<I>().bias)));
  }
  (std::make_index_sequence<M::depth>{});
}

int main() {
  model_t<struct a> a;
  model_t<struct b> b;
  model_t<struct va> va;
  model_t<struct vb> vb;
  a.for_each_parameter([](auto& p) { p.value.setConstant(0.01f); });
  b.for_each_parameter([](auto& p) { p.value.setConstant(0.01f); });
  va.for_each_parameter([](auto& p) { p.value.setConstant(1.0f); });
  vb.for_each_parameter([](auto& p) { p.value.setConstant(1.0f); });
  tl::input<struct x, float, 16> x;
  tl::input<struct t, float, 16> t;
  const auto g = tl::grad(tl::mse(a(b(x)), t), a, b);
  auto step = tl::gradient(inner(g, a, va) + inner(g, b, vb), a, b);
  Eigen::MatrixXf X = Eigen::MatrixXf::Ones(4, 16), T = Eigen::MatrixXf::Zero(4, 16);
  const auto& hv = step(tl::feed(x, X), tl::feed(t, T));
  std::printf("depth %d: <g, v> %g, |Hv dW| %g\n", TAPELESS_DEPTH, static_cast<double>(hv.loss()),
              static_cast<double>(hv[b.layer<0>().weight].norm()));
  return hv.loss() != 0 ? 0 : 1;
}
