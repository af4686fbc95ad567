// stop_gradient (the value passes, the gradient does not) and
// tl::unconnected_as_zero (zero gradients, of the right shape, for requested
// parameters the loss does not depend on).

#include <tapeless/tapeless.hpp>

#include "support.hpp"

namespace tl = tapeless;
using namespace tapeless_test;

namespace {

using enc_t = tl::model<struct enc_tag, double, tl::Dense<3, 4, tl::Tanh>>;
using head_t = tl::model<struct head_tag, double, tl::Dense<4, 2>>;
const tl::input<struct x_tag, double, 3> x;
const tl::input<struct t_tag, double, 2> t;

const matrix<double> X = pattern(5, 3, 1.0);
const matrix<double> T = pattern(5, 2, 2.0);

struct models {
  enc_t enc;
  head_t head;
  models() {
    fill_parameters(enc, 3.0);
    fill_parameters(head, 5.0);
  }
};

}  // namespace

TEST_CASE("stop_gradient: the value is unchanged", "[stop_gradient]") {
  models m;
  const auto y = m.head(m.enc(x));
  auto plain = tl::evaluate(y);
  auto stopped = tl::evaluate(tl::stop_gradient(y));
  const matrix<double> expected = plain(tl::feed(x, X)).value();
  CHECK(stopped(tl::feed(x, X)).value() == expected);
  // Not trivially zero.
  CHECK(expected.cwiseAbs().maxCoeff() > 0.1);
}

TEST_CASE("stop_gradient: no gradient flows, a lenient request gets exact zeros",
          "[stop_gradient][unconnected_as_zero]") {
  models m;
  const auto loss = tl::mse(m.head(tl::stop_gradient(m.enc(x))), t);
  STATIC_REQUIRE(tl::uses_v<decltype(loss), enc_t>);
  STATIC_REQUIRE(!tl::depends_on_v<decltype(loss), enc_t>);
  STATIC_REQUIRE(tl::depends_on_v<decltype(loss), head_t>);

  auto lenient = tl::gradient(tl::unconnected_as_zero, loss, m.enc, m.head);
  using step_t = decltype(lenient);
  STATIC_REQUIRE(!step_t::computes_gradient_of<decltype(m.enc.layer<0>().weight)>());
  STATIC_REQUIRE(!step_t::computes_gradient_of<decltype(m.enc.layer<0>().bias)>());
  STATIC_REQUIRE(step_t::computes_gradient_of<decltype(m.head.layer<0>().weight)>());

  auto strict = tl::gradient(loss, m.head);
  const auto& g = lenient(tl::feed(x, X), tl::feed(t, T));
  const auto& s = strict(tl::feed(x, X), tl::feed(t, T));

  CHECK(g[m.enc.layer<0>().weight] == matrix<double>::Zero(3, 4));
  CHECK(g[m.enc.layer<0>().bias] == matrix<double>::Zero(1, 4));
  // The head's gradient is the one a request without the encoder computes.
  CHECK(g.loss() == s.loss());
  CHECK(g[m.head.layer<0>().weight] == s[m.head.layer<0>().weight]);
  CHECK(g[m.head.layer<0>().bias] == s[m.head.layer<0>().bias]);
  CHECK(s[m.head.layer<0>().weight].cwiseAbs().maxCoeff() > 1e-3);
}

TEST_CASE("stop_gradient on one of two paths: only the unblocked part flows", "[stop_gradient]") {
  // loss = sum(w * y * stop(y)), y = enc(x): the parameters reach the loss
  // through both factors, and only the first carries gradient. The same
  // loss with stop(y) replaced by data k holding y's value is the reference.
  models m;
  const tl::input<struct w_tag, double, 4> w;
  const tl::input<struct k_tag, double, 4> k;
  const matrix<double> W = pattern(5, 4, 9.0);
  const auto y = m.enc(x);
  const auto mixed = tl::sum(w * (y * tl::stop_gradient(y)));
  const auto frozen = tl::sum(w * (y * k));
  STATIC_REQUIRE(tl::depends_on_v<decltype(mixed), enc_t>);

  const matrix<double> K = tl::evaluate(y)(tl::feed(x, X)).value();
  auto mixed_step = tl::gradient(mixed, m.enc);
  auto frozen_step = tl::gradient(frozen, m.enc);
  const auto& g = mixed_step(tl::feed(x, X), tl::feed(w, W));
  const auto& r = frozen_step(tl::feed(x, X), tl::feed(w, W), tl::feed(k, K));
  CHECK(g.loss() == r.loss());
  CHECK_THAT(g[m.enc.layer<0>().weight], is_close_to(r[m.enc.layer<0>().weight], 1e-14));
  CHECK_THAT(g[m.enc.layer<0>().bias], is_close_to(r[m.enc.layer<0>().bias], 1e-14));

  // The reference itself, against finite differences with k held fixed.
  auto frozen_value = tl::evaluate(frozen);
  check_parameters_against_fd(r, m.enc, [&] {
    return frozen_value(tl::feed(x, X), tl::feed(w, W), tl::feed(k, K)).loss();
  });

  // And it is not the full derivative, which counts both factors.
  auto mixed_value = tl::evaluate(mixed);
  auto& weight = m.enc.layer<0>().weight;
  const matrix<double> full = numeric_gradient(
      [&] { return mixed_value(tl::feed(x, X), tl::feed(w, W)).loss(); }, weight.value);
  CHECK((full - g[weight]).cwiseAbs().maxCoeff() > 1e-3);
}

TEST_CASE("unconnected_as_zero: zeros of the right shape, correct values for the rest",
          "[unconnected_as_zero]") {
  models m;
  tl::model<struct other_tag, double, tl::Dense<4, 6>, tl::Dense<6, 2>> other;
  fill_parameters(other, 8.0);
  const tl::variable<struct v_tag, double, 2, 5> v;  // fixed batch: its zeros are 5 x 2
  const auto loss = tl::mse(m.head(m.enc(x)), t);

  auto lenient = tl::gradient(tl::unconnected_as_zero, loss, other, m.enc, v, m.head);
  auto strict = tl::gradient(loss, m.enc, m.head);
  using step_t = decltype(lenient);
  STATIC_REQUIRE(!step_t::computes_gradient_of<decltype(other.layer<1>().weight)>());
  STATIC_REQUIRE(!step_t::computes_gradient_of<decltype(v)>());
  STATIC_REQUIRE(step_t::computes_gradient_of<decltype(m.enc.layer<0>().weight)>());

  // Twice, with different data: the zeros stay zero, the rest follows.
  for (double shift : {0.0, 0.5}) {
    const matrix<double> Xs = X.array() + shift;
    const auto& g = lenient(tl::feed(x, Xs), tl::feed(t, T));
    const auto& s = strict(tl::feed(x, Xs), tl::feed(t, T));

    const auto& w0 = g[other.layer<0>().weight];
    const auto& b1 = g[other.layer<1>().bias];
    const auto& dv = g[v];
    CHECK(w0.rows() == 4);
    CHECK(w0.cols() == 6);
    CHECK(w0 == matrix<double>::Zero(4, 6));
    CHECK(g[other.layer<0>().bias] == matrix<double>::Zero(1, 6));
    CHECK(g[other.layer<1>().weight] == matrix<double>::Zero(6, 2));
    CHECK(b1 == matrix<double>::Zero(1, 2));
    CHECK(dv == matrix<double>::Zero(5, 2));

    CHECK(g.loss() == s.loss());
    m.enc.for_each_parameter([&](const auto& p) { CHECK(g[p] == s[p]); });
    m.head.for_each_parameter([&](const auto& p) { CHECK(g[p] == s[p]); });
    CHECK(s[m.enc.layer<0>().weight].cwiseAbs().maxCoeff() > 1e-3);
  }
}
