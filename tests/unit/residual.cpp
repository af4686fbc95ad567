// Residual blocks, y = x + f(x): the function form around a sub-model and
// the declaration Residual<D> in a model's type; values against the
// formula, gradients (parameters and input) against finite differences in
// double, float against double, names, freezing and computed weights.

#include <tapeless/tapeless.hpp>

#include "support.hpp"

namespace tl = tapeless;
using namespace tapeless_test;

namespace {

template <class S>
using net_t = tl::model<struct net_tag, S, tl::Dense<3, 4, tl::Tanh>,
                        tl::Residual<tl::Dense<4, 4, tl::Tanh>>, tl::Dense<4, 2>>;

template <class S>
struct fixture {
  net_t<S> net;
  tl::input<struct x_tag, S, 3> x;
  tl::input<struct t_tag, S, 2> t;
  matrix<S> X = pattern(5, 3, 1.0).cast<S>();
  matrix<S> T = pattern(5, 2, 2.0).cast<S>();
  fixture() { fill_parameters(net, 3.0); }
};

template <class L>
matrix<double> dense_tanh(const L& layer, const matrix<double>& x) {
  return ((x * layer.weight.value).rowwise() + layer.bias.value.row(0)).array().tanh();
}

}  // namespace

TEST_CASE("residual around a sub-model: value and gradients", "[residual]") {
  // f is a two-layer model, 4 -> 8 -> 4; the gradient reaches x twice.
  tl::model<struct block_tag, double, tl::Dense<4, 8, tl::Tanh>, tl::Dense<8, 4, tl::Tanh>> f;
  fill_parameters(f, 4.0);
  const tl::variable<struct v_tag, double, 4> v;
  const tl::input<struct w_tag, double, 4> w;
  const matrix<double> V = pattern(6, 4, 5.0), W = pattern(6, 4, 6.0);
  const auto y = tl::residual(f, v);
  STATIC_REQUIRE(decltype(y)::cols == 4);

  const matrix<double> fx = dense_tanh(f.layer<1>(), dense_tanh(f.layer<0>(), V));
  auto value = tl::evaluate(y);
  CHECK_THAT(value(tl::feed(v, V)).value(), is_close_to(matrix<double>(V + fx), 1e-14));

  const auto loss = tl::sum(w * y);
  auto step = tl::gradient(loss, f, v);
  const auto& g = step(tl::feed(v, V), tl::feed(w, W));
  auto plain = tl::gradient(tl::sum(w * f(v)), v);  // through f alone
  const auto& p = plain(tl::feed(v, V), tl::feed(w, W));
  CHECK_THAT(matrix<double>(g[v]), is_close_to(matrix<double>(W + p[v]), 1e-14));
  const auto report = tl::check_gradients(loss, tl::wrt(f, v), tl::feed(v, V), tl::feed(w, W));
  INFO(report.text());
  CHECK(report.passed());
  CHECK(g[f.layer<0>().weight].cwiseAbs().maxCoeff() > 1e-3);
}

TEST_CASE("Residual<D> in a model: value and gradients against finite differences", "[residual]") {
  fixture<double> f;
  const auto loss = tl::mse(f.net(f.x), f.t);
  auto step = tl::gradient(loss, f.net);
  auto value = tl::evaluate(loss);
  const auto& g = step(tl::feed(f.x, f.X), tl::feed(f.t, f.T));
  const matrix<double> h0 = dense_tanh(f.net.layer<0>(), f.X);
  const matrix<double> h1 = h0 + dense_tanh(f.net.layer<1>().block, h0);
  const auto& out = f.net.layer<2>();
  const matrix<double> y = (h1 * out.weight.value).rowwise() + out.bias.value.row(0);
  CHECK(g.loss() == Approx((y - f.T).array().square().mean()).epsilon(1e-12));
  check_parameters_against_fd(g, f.net,
                              [&] { return value(tl::feed(f.x, f.X), tl::feed(f.t, f.T)).loss(); });
  // The block's parameters are the layer's, under its index.
  CHECK(f.net.layer<1>().block.weight.name() == "net_tag.layer1.W");
  CHECK(&std::get<0>(f.net.layer<1>().parameters()) == &f.net.layer<1>().block.weight);
}

TEST_CASE("Residual<D> in float gives the double result", "[residual][float]") {
  fixture<float> f;
  fixture<double> d;
  auto step = tl::gradient(tl::mse(f.net(f.x), f.t), f.net);
  auto reference = tl::gradient(tl::mse(d.net(d.x), d.t), d.net);
  const auto& g = step(tl::feed(f.x, f.X), tl::feed(f.t, f.T));
  const auto& r = reference(tl::feed(d.x, d.X), tl::feed(d.t, d.T));
  CHECK(g.loss() == Approx(r.loss()).epsilon(1e-5));
  CHECK_THAT(matrix<float>(g[f.net.layer<1>().block.weight]),
             is_close_to(r[d.net.layer<1>().block.weight].cast<float>().eval(), 1e-4));
  CHECK_THAT(matrix<float>(g[f.net.layer<0>().weight]),
             is_close_to(r[d.net.layer<0>().weight].cast<float>().eval(), 1e-4));
}

TEST_CASE("Residual<D>: frozen, and with computed weights", "[residual]") {
  fixture<double> f;
  using frozen_t = tl::model<struct net_tag, double, tl::Dense<3, 4, tl::Tanh>,
                             tl::Frozen<tl::Residual<tl::Dense<4, 4, tl::Tanh>>>, tl::Dense<4, 2>>;
  frozen_t frozen;
  frozen.copy_values_from(f.net);
  auto step = tl::gradient(tl::mse(frozen(f.x), f.t), frozen);
  STATIC_REQUIRE(!decltype(step)::computes_gradient_of<decltype(frozen.layer<1>().block.weight)>());
  STATIC_REQUIRE(decltype(step)::computes_gradient_of<decltype(frozen.layer<0>().weight)>());
  // Residual of a frozen layer is frozen too.
  STATIC_REQUIRE(!tl::Residual<tl::Frozen<tl::Dense<4, 4>>>::trainable);
  auto reference = tl::gradient(tl::mse(f.net(f.x), f.t), f.net);
  const auto& g = step(tl::feed(f.x, f.X), tl::feed(f.t, f.T));
  const auto& r = reference(tl::feed(f.x, f.X), tl::feed(f.t, f.T));
  CHECK(g.loss() == Approx(r.loss()).epsilon(1e-14));
  CHECK_THAT(matrix<double>(g[frozen.layer<0>().weight]),
             is_close_to(matrix<double>(r[f.net.layer<0>().weight]), 1e-14));

  // The residual layer with its weight given by an expression: 2 W, read
  // from the layer itself, so the gradient of W doubles the direct one's.
  const auto& layer = f.net.layer<1>();
  const auto& W = layer.block.weight;
  const auto h = f.net.layer<0>()(f.x);
  const tl::input<struct w_tag, double, 4> w;
  const matrix<double> Wd = pattern(5, 4, 7.0);
  auto computed = tl::gradient(tl::sum(w * layer.with_weights(2.0 * W, layer.block.bias)(h)),
                               layer.block.weight);
  const auto& gc = computed(tl::feed(f.x, f.X), tl::feed(w, Wd));
  const matrix<double> h0 = dense_tanh(f.net.layer<0>(), f.X);
  const matrix<double> pre = (h0 * (2.0 * W.value)).rowwise() + layer.block.bias.value.row(0);
  const matrix<double> y = h0.array() + pre.array().tanh();
  CHECK(gc.loss() == Approx((Wd.array() * y.array()).sum()).epsilon(1e-12));
  // dL/dW = 2 h0^T (w * (1 - tanh^2)).
  const matrix<double> expected =
      2.0 * h0.transpose() * matrix<double>(Wd.array() * (1 - pre.array().tanh().square()));
  CHECK_THAT(matrix<double>(gc[W]), is_close_to(expected, 1e-12));
}
