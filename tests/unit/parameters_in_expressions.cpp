// A parameter is an operand like any other: a penalty on weights, a weight
// in a formula of the user's own. Its gradient is the sum of the
// contributions of every use: the layer it belongs to and each expression
// that reads it, against closed forms and central finite differences.

#include <type_traits>

#include <tapeless/tapeless.hpp>

#include "support.hpp"

namespace tl = tapeless;
using namespace tapeless_test;

namespace {

template <class S>
struct network {
  tl::model<struct enc_tag, S, tl::Dense<3, 4, tl::Tanh>> enc;
  tl::model<struct head_tag, S, tl::Dense<4, 2>> head;
  tl::input<struct x_tag, S, 3> x;
  tl::input<struct t_tag, S, 2> t;
  matrix<S> X = pattern(5, 3, 1.0).cast<S>();
  matrix<S> T = pattern(5, 2, 2.0).cast<S>();
  network() {
    fill_parameters(enc, 3.0);
    fill_parameters(head, 5.0);
  }
  auto data_loss() const { return tl::mse(head(enc(x)), t); }
};

}  // namespace

TEST_CASE("an L2 penalty on a weight adds 2 lambda W to its gradient", "[parameters]") {
  network<double> n;
  const auto& W = n.enc.layer<0>().weight;
  const double lambda = 1e-2;
  const auto loss = n.data_loss() + lambda * tl::sum(tl::square(W));
  STATIC_REQUIRE(tl::depends_on_v<decltype(loss), std::remove_cvref_t<decltype(W)>>);
  // W is one node, read by its layer and by the penalty.
  STATIC_REQUIRE(tl::graph::dag<decltype(loss)>::size ==
                 tl::graph::dag<decltype(n.data_loss())>::size + 4);

  auto step = tl::gradient(loss, n.enc, n.head);
  auto plain = tl::gradient(n.data_loss(), n.enc, n.head);
  const auto& g = step(tl::feed(n.x, n.X), tl::feed(n.t, n.T));
  const auto& p = plain(tl::feed(n.x, n.X), tl::feed(n.t, n.T));

  CHECK(g.loss() == Approx(p.loss() + lambda * W.value.squaredNorm()).epsilon(1e-12));
  CHECK_THAT(g[W], is_close_to((p[W] + 2 * lambda * W.value).eval(), 1e-12));
  // The other parameters are untouched by the penalty.
  CHECK(g[n.enc.layer<0>().bias] == p[n.enc.layer<0>().bias]);
  CHECK(g[n.head.layer<0>().weight] == p[n.head.layer<0>().weight]);

  auto value = tl::evaluate(loss);
  auto f = [&] { return value(tl::feed(n.x, n.X), tl::feed(n.t, n.T)).loss(); };
  check_parameters_against_fd(g, n.enc, f);
  check_parameters_against_fd(g, n.head, f);
}

TEST_CASE("an L1 penalty on every weight of a model", "[parameters]") {
  network<double> n;
  const double lambda = 1e-3;
  const auto& W0 = n.enc.layer<0>().weight;
  const auto& W1 = n.head.layer<0>().weight;
  const auto loss = n.data_loss() + lambda * (tl::sum(tl::abs(W0)) + tl::sum(tl::abs(W1)));
  auto step = tl::gradient(loss, n.enc, n.head);
  auto plain = tl::gradient(n.data_loss(), n.enc, n.head);
  const auto& g = step(tl::feed(n.x, n.X), tl::feed(n.t, n.T));
  const auto& p = plain(tl::feed(n.x, n.X), tl::feed(n.t, n.T));
  CHECK_THAT(g[W0], is_close_to((p[W0] + lambda * W0.value.array().sign().matrix()).eval(), 1e-12));
  CHECK_THAT(g[W1], is_close_to((p[W1] + lambda * W1.value.array().sign().matrix()).eval(), 1e-12));

  auto value = tl::evaluate(loss);
  check_parameters_against_fd(g, n.enc,
                              [&] { return value(tl::feed(n.x, n.X), tl::feed(n.t, n.T)).loss(); });
}

TEST_CASE("a weight in a formula of the user's own", "[parameters]") {
  // The layer's bias also scales the targets elementwise and is penalised
  // through exp: loss = sum((m(x) - b * t)^2) + sum(e^b), three uses of b.
  // b is 1 x 2, so the data is one row (a fixed batch of 1).
  tl::model<struct m_tag, double, tl::Dense<3, 2, tl::Sigmoid>> m;
  fill_parameters(m, 7.0);
  const tl::input<struct x1_tag, double, 3, 1> x;
  const tl::input<struct t1_tag, double, 2, 1> t;
  const auto& b = m.layer<0>().bias;
  const auto loss = tl::sum(tl::square(m(x) - b * t)) + tl::sum(tl::exp(b));
  const matrix<double> X = pattern(1, 3, 2.0), T = pattern(1, 2, 3.0);

  auto step = tl::gradient(loss, m);
  auto value = tl::evaluate(loss);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  check_parameters_against_fd(g, m, [&] { return value(tl::feed(x, X), tl::feed(t, T)).loss(); });
}

TEST_CASE("a parameter alone, as the whole expression", "[parameters]") {
  tl::model<struct m_tag, double, tl::Dense<3, 2>> m;
  fill_parameters(m, 1.0);
  const auto& W = m.layer<0>().weight;
  auto show = tl::evaluate(W);
  CHECK(show().value() == W.value);
  // The gradient of sum(W) is all ones; of W's bias, a parameter the loss
  // does not read, zeros on request.
  auto step = tl::gradient(tl::unconnected_as_zero, tl::sum(W), m);
  const auto& g = step();
  CHECK(g[W] == matrix<double>::Ones(3, 2));
  CHECK(g[m.layer<0>().bias].isZero());
  // A 1x1 parameter is a loss by itself.
  tl::model<struct s_tag, double, tl::Dense<1, 1>> s;
  s.layer<0>().bias.value(0, 0) = 2.5;
  auto own = tl::gradient(s.layer<0>().bias, s.layer<0>().bias);
  CHECK(own().loss() == 2.5);
  CHECK(own()[s.layer<0>().bias](0, 0) == 1.0);
}

TEST_CASE("a penalty on a frozen layer's weight: read, never differentiated", "[parameters]") {
  tl::model<struct f_tag, double, tl::Frozen<tl::Dense<3, 4, tl::Tanh>>, tl::Dense<4, 2>> m;
  fill_parameters(m, 2.0);
  const tl::input<struct x_tag, double, 3> x;
  const tl::input<struct t_tag, double, 2> t;
  const auto loss = tl::mse(m(x), t) + 0.5 * tl::sum(tl::square(m.layer<0>().weight));
  auto step = tl::gradient(loss, m);  // the trainable layer only
  STATIC_REQUIRE(!decltype(step)::computes_gradient_of<decltype(m.layer<0>().weight)>());
  const matrix<double> X = pattern(4, 3, 1.0), T = pattern(4, 2, 2.0);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  const double data = (((X * m.layer<0>().weight.value).rowwise() + m.layer<0>().bias.value.row(0))
                               .array()
                               .tanh()
                               .matrix() *
                           m.layer<1>().weight.value +
                       (matrix<double>::Ones(4, 1) * m.layer<1>().bias.value) - T)
                          .array()
                          .square()
                          .mean();
  CHECK(g.loss() == Approx(data + 0.5 * m.layer<0>().weight.value.squaredNorm()).epsilon(1e-12));
}

TEST_CASE("a penalty read from another object of the requested type", "[parameters][identity]") {
  network<double> n;
  tl::model<struct enc_tag, double, tl::Dense<3, 4, tl::Tanh>> other;
  const auto loss = n.data_loss() + tl::sum(tl::square(other.layer<0>().weight));
  // Two objects of one type in one loss.
  CHECK_THROWS_AS(tl::gradient(loss, n.head), tl::identity_error);
}

TEST_CASE("penalties in float", "[parameters][float]") {
  network<float> n;
  const auto& W = n.enc.layer<0>().weight;
  const auto loss = n.data_loss() + 0.01f * tl::sum(tl::square(W));
  auto step = tl::gradient(loss, n.enc);
  auto plain = tl::gradient(n.data_loss(), n.enc);
  const auto& g = step(tl::feed(n.x, n.X), tl::feed(n.t, n.T));
  const auto& p = plain(tl::feed(n.x, n.X), tl::feed(n.t, n.T));
  CHECK_THAT(matrix<float>(g[W]), is_close_to((p[W] + 0.02f * W.value).eval(), 1e-5));
}
