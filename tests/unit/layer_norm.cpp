// LayerNorm, a layer added through the Layer concept alone: its values
// against the formula, its gradients (input, gain, bias) against finite
// differences in double and a closed form in float, and everything the core
// does with any layer: requests, freezing, initialisers, optimizers,
// checkpoints, computed weights.

#include <filesystem>

#include <tapeless/io/checkpoint.hpp>
#include <tapeless/tapeless.hpp>

#include "scratch_dir.hpp"
#include "support.hpp"

namespace tl = tapeless;
using namespace tapeless_test;

namespace {

template <class S>
using net_t =
    tl::model<struct net_tag, S, tl::Dense<3, 4, tl::Tanh>, tl::LayerNorm<4>, tl::Dense<4, 2>>;

template <class S>
struct fixture {
  net_t<S> net;
  tl::input<struct x_tag, S, 3> x;
  tl::input<struct t_tag, S, 2> t;
  matrix<S> X = pattern(5, 3, 1.0).cast<S>();
  matrix<S> T = pattern(5, 2, 2.0).cast<S>();
  fixture() {
    fill_parameters(net, 3.0);
    // Gains near 1, as trained ones are.
    net.template layer<1>().gain.value.array() += S(1.5);
  }
};

// The formula, row by row.
matrix<double> layer_norm(const matrix<double>& x, const matrix<double>& g,
                          const matrix<double>& b) {
  matrix<double> y(x.rows(), x.cols());
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    const double mu = x.row(i).mean();
    const double var = (x.row(i).array() - mu).square().mean();
    y.row(i) =
        (((x.row(i).array() - mu) / std::sqrt(var + 1e-5)) * g.row(0).array() + b.row(0).array())
            .matrix();
  }
  return y;
}

}  // namespace

TEST_CASE("LayerNorm: value and gradients against finite differences", "[layer_norm]") {
  fixture<double> f;
  const auto loss = tl::mse(f.net(f.x), f.t);
  auto step = tl::gradient(loss, f.net);
  auto value = tl::evaluate(loss);
  const auto& g = step(tl::feed(f.x, f.X), tl::feed(f.t, f.T));

  const auto& d0 = f.net.layer<0>();
  const auto& ln = f.net.layer<1>();
  const auto& d1 = f.net.layer<2>();
  const matrix<double> h =
      ((f.X * d0.weight.value).rowwise() + d0.bias.value.row(0)).array().tanh();
  const matrix<double> y =
      (layer_norm(h, ln.gain.value, ln.bias.value) * d1.weight.value).rowwise() +
      d1.bias.value.row(0);
  CHECK(g.loss() == Approx((y - f.T).array().square().mean()).epsilon(1e-12));
  check_parameters_against_fd(g, f.net,
                              [&] { return value(tl::feed(f.x, f.X), tl::feed(f.t, f.T)).loss(); });
  CHECK(ln.gain.name() == "net_tag.layer1.g");
  CHECK(ln.bias.name() == "net_tag.layer1.b");
}

TEST_CASE("LayerNorm: the gradient with respect to its input", "[layer_norm]") {
  const tl::variable<struct v_tag, double, 4> v;
  const tl::input<struct w_tag, double, 4> w;
  tl::model<struct ln_tag, double, tl::LayerNorm<4>> m;
  fill_parameters(m, 5.0);
  const auto loss = tl::sum(w * m(v));
  matrix<double> V = 3.0 * pattern(6, 4, 7.0);
  const matrix<double> W = pattern(6, 4, 8.0);
  auto step = tl::gradient(loss, v, m);
  auto value = tl::evaluate(loss);
  const auto& g = step(tl::feed(v, V), tl::feed(w, W));
  auto f = [&] { return value(tl::feed(v, V), tl::feed(w, W)).loss(); };
  CHECK_THAT(g[v], is_close_to(numeric_gradient(f, V), fd_tolerance));
  // Each row's input gradient sums to 0: shifting a row changes nothing.
  CHECK(g[v].rowwise().sum().cwiseAbs().maxCoeff() < 1e-12);
  // The gain's gradient is sum over rows of w * x_hat, the bias's of w.
  const matrix<double> xh = layer_norm(V, matrix<double>::Ones(1, 4), matrix<double>::Zero(1, 4));
  CHECK_THAT(g[m.layer<0>().gain],
             is_close_to((W.array() * xh.array()).colwise().sum().matrix().eval(), 1e-12));
  CHECK_THAT(g[m.layer<0>().bias], is_close_to(W.colwise().sum().eval(), 1e-12));
}

TEST_CASE("LayerNorm in float", "[layer_norm][float]") {
  fixture<float> f;
  fixture<double> d;
  auto step = tl::gradient(tl::mse(f.net(f.x), f.t), f.net);
  auto reference = tl::gradient(tl::mse(d.net(d.x), d.t), d.net);
  const auto& g = step(tl::feed(f.x, f.X), tl::feed(f.t, f.T));
  const auto& r = reference(tl::feed(d.x, d.X), tl::feed(d.t, d.T));
  CHECK_THAT(matrix<float>(g[f.net.layer<1>().gain]),
             is_close_to(r[d.net.layer<1>().gain].cast<float>().eval(), 1e-4));
  CHECK_THAT(matrix<float>(g[f.net.layer<0>().weight]),
             is_close_to(r[d.net.layer<0>().weight].cast<float>().eval(), 1e-4));
}

TEST_CASE("LayerNorm: initialised to gain 1 and bias 0, frozen, trained, saved",
          "[layer_norm][train]") {
  net_t<double> net;
  tl::random_engine rng(3);
  tl::initialize(net, rng);
  CHECK(net.layer<1>().gain.value == matrix<double>::Ones(1, 4));
  CHECK(net.layer<1>().bias.value.isZero());
  CHECK(!net.layer<0>().weight.value.isZero());

  // Frozen: a model request leaves it out; its values do not move.
  using frozen_t = tl::model<struct net_tag, double, tl::Dense<3, 4, tl::Tanh>,
                             tl::Frozen<tl::LayerNorm<4>>, tl::Dense<4, 2>>;
  frozen_t frozen;
  frozen.copy_values_from(net);
  frozen.layer<1>().gain.value.array() += 0.5;
  const tl::input<struct x_tag, double, 3> x;
  const tl::input<struct t_tag, double, 2> t;
  auto step = tl::gradient(tl::mse(frozen(x), t), frozen);
  STATIC_REQUIRE(!decltype(step)::computes_gradient_of<decltype(frozen.layer<1>().gain)>());
  STATIC_REQUIRE(decltype(step)::computes_gradient_of<decltype(frozen.layer<0>().weight)>());
  auto adam = tl::make_optimizer(tl::adam{.learning_rate = 0.01}, frozen);
  const matrix<double> X = pattern(8, 3, 1.0), T = pattern(8, 2, 2.0);
  const matrix<double> gain = frozen.layer<1>().gain.value;
  const double first = step(tl::feed(x, X), tl::feed(t, T)).loss();
  for (int i = 0; i < 50; ++i) adam.step(step(tl::feed(x, X), tl::feed(t, T)));
  CHECK(step(tl::feed(x, X), tl::feed(t, T)).loss() < first);
  CHECK(frozen.layer<1>().gain.value == gain);

  // Trainable: the optimizer moves its gain.
  auto train = tl::gradient(tl::mse(net(x), t), net);
  auto sgd = tl::make_optimizer(tl::sgd{.learning_rate = 0.1}, net);
  sgd.step(train(tl::feed(x, X), tl::feed(t, T)));
  CHECK(net.layer<1>().gain.value != matrix<double>::Ones(1, 4));

  // Checkpoints: by name, bit for bit, into the frozen version too.
  scratch_dir dir("layer_norm");
  const auto file = dir.path / "net.tlck";
  tl::save(file, net);
  net_t<double> loaded;
  tl::load(file, loaded);
  CHECK(loaded.layer<1>().gain.value == net.layer<1>().gain.value);
  CHECK(loaded.layer<2>().weight.value == net.layer<2>().weight.value);
  tl::load(file, frozen);
  CHECK(frozen.layer<1>().gain.value == net.layer<1>().gain.value);
}

TEST_CASE("LayerNorm with a gain computed by another model", "[layer_norm][computed]") {
  // A conditioning model computes the gain (FiLM-style); the gradient
  // reaches it through the layer.
  tl::model<struct cond_tag, double, tl::Dense<2, 4>> cond;
  tl::model<struct ln_tag, double, tl::LayerNorm<4>> ln;
  fill_parameters(cond, 4.0);
  fill_parameters(ln, 5.0);
  const tl::input<struct z_tag, double, 2, 1> z;
  const tl::input<struct h_tag, double, 4> h;
  const tl::input<struct w_tag, double, 4> w;
  const auto loss = tl::sum(w * ln.layer<0>().with_weights(cond(z), ln.layer<0>().bias)(h));
  auto step = tl::gradient(loss, cond);
  auto value = tl::evaluate(loss);
  const matrix<double> Z = pattern(1, 2, 1.0), H = pattern(5, 4, 2.0), W = pattern(5, 4, 3.0);
  const auto& g = step(tl::feed(z, Z), tl::feed(h, H), tl::feed(w, W));
  check_parameters_against_fd(
      g, cond, [&] { return value(tl::feed(z, Z), tl::feed(h, H), tl::feed(w, W)).loss(); });
}
