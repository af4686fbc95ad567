// Two models composed into one loss, y = A(B(x)): the linear case of the
// motivating question against closed-form backprop, requested for the outer
// model only, for both in one sweep and for each separately; then a
// nonlinear composition against finite differences.

#include <tapeless/tapeless.hpp>

#include "support.hpp"

namespace tl = tapeless;
using namespace tapeless_test;

namespace {

// B: x (4 features) -> h (3); A: h -> y (2). Identity activations.
using model_b = tl::model<struct b_tag, double, tl::Dense<4, 3>>;
using model_a = tl::model<struct a_tag, double, tl::Dense<3, 2>>;
const tl::input<struct x_tag, double, 4> x;
const tl::input<struct t_tag, double, 2> t;

// The closed-form gradients of L = mean((y - t)^2) for
//   h = x W_B + 1 b_B,   y = h W_A + 1 b_A   (1: a column of ones),
// with n the number of elements of y:
//   dL/dy = 2 (y - t) / n
//   dW_A  = h^T dL/dy,     db_A = 1^T dL/dy  (column sums)
//   dh    = dL/dy W_A^T
//   dW_B  = x^T dh,        db_B = 1^T dh
struct closed_form {
  double loss;
  matrix<double> dW_a, db_a, dW_b, db_b;

  closed_form(const model_a& a, const model_b& b, const matrix<double>& X,
              const matrix<double>& T) {
    const auto& A = a.layer<0>();
    const auto& B = b.layer<0>();
    const matrix<double> h = (X * B.weight.value).rowwise() + B.bias.value.row(0);
    const matrix<double> y = (h * A.weight.value).rowwise() + A.bias.value.row(0);
    const double n = double(y.size());
    loss = (y - T).array().square().sum() / n;
    const matrix<double> dy = 2.0 * (y - T) / n;
    dW_a = h.transpose() * dy;
    db_a = dy.colwise().sum();
    const matrix<double> dh = dy * A.weight.value.transpose();
    dW_b = X.transpose() * dh;
    db_b = dh.colwise().sum();
  }
};

// Exact in double up to rounding: the program and the formulas do the same
// arithmetic in possibly different orders.
constexpr double exact = 1e-12;

struct linear_case {
  model_a a;
  model_b b;
  matrix<double> X = pattern(5, 4, 1.0);
  matrix<double> T = pattern(5, 2, 2.0);
  linear_case() {
    fill_parameters(a, 3.0);
    fill_parameters(b, 7.0);
  }
};

}  // namespace

TEST_CASE("y = A(B(x)), linear: gradient w.r.t. the outer model only", "[two_models]") {
  linear_case c;
  const auto loss = tl::mean(tl::square(c.a(c.b(x)) - t));
  auto step = tl::gradient(loss, c.a);
  // B's parameters are not computed at all, not merely ignored.
  STATIC_REQUIRE(decltype(step)::computes_gradient_of<decltype(c.a.layer<0>().weight)>());
  STATIC_REQUIRE(!decltype(step)::computes_gradient_of<decltype(c.b.layer<0>().weight)>());
  STATIC_REQUIRE(!decltype(step)::computes_gradient_of<decltype(c.b.layer<0>().bias)>());

  const auto& g = step(tl::feed(x, c.X), tl::feed(t, c.T));
  const closed_form ref(c.a, c.b, c.X, c.T);
  CHECK(g.loss() == Approx(ref.loss).epsilon(exact));
  CHECK_THAT(g[c.a.layer<0>().weight], is_close_to(ref.dW_a, exact));
  CHECK_THAT(g[c.a.layer<0>().bias], is_close_to(ref.db_a, exact));
}

TEST_CASE("y = A(B(x)), linear: both models in one sweep, and each separately", "[two_models]") {
  linear_case c;
  const auto loss = tl::mean(tl::square(c.a(c.b(x)) - t));
  auto both = tl::gradient(loss, c.a, c.b);
  auto outer = tl::gradient(loss, c.a);
  auto inner = tl::gradient(loss, c.b);
  STATIC_REQUIRE(!decltype(inner)::computes_gradient_of<decltype(c.a.layer<0>().weight)>());

  const auto& g = both(tl::feed(x, c.X), tl::feed(t, c.T));
  const closed_form ref(c.a, c.b, c.X, c.T);
  CHECK(g.loss() == Approx(ref.loss).epsilon(exact));
  CHECK_THAT(g[c.a.layer<0>().weight], is_close_to(ref.dW_a, exact));
  CHECK_THAT(g[c.a.layer<0>().bias], is_close_to(ref.db_a, exact));
  CHECK_THAT(g[c.b.layer<0>().weight], is_close_to(ref.dW_b, exact));
  CHECK_THAT(g[c.b.layer<0>().bias], is_close_to(ref.db_b, exact));

  // One sweep or two: the same arithmetic, so the same numbers exactly.
  const auto& go = outer(tl::feed(x, c.X), tl::feed(t, c.T));
  const auto& gi = inner(tl::feed(x, c.X), tl::feed(t, c.T));
  CHECK(go.loss() == g.loss());
  CHECK(gi.loss() == g.loss());
  CHECK(go[c.a.layer<0>().weight] == g[c.a.layer<0>().weight]);
  CHECK(go[c.a.layer<0>().bias] == g[c.a.layer<0>().bias]);
  CHECK(gi[c.b.layer<0>().weight] == g[c.b.layer<0>().weight]);
  CHECK(gi[c.b.layer<0>().bias] == g[c.b.layer<0>().bias]);

  // Requests may name single layers and parameters, in any order.
  auto mixed = tl::gradient(loss, c.b.layer<0>().bias, c.a.layer<0>());
  const auto& gm = mixed(tl::feed(x, c.X), tl::feed(t, c.T));
  CHECK(gm[c.a.layer<0>().weight] == g[c.a.layer<0>().weight]);
  CHECK(gm[c.b.layer<0>().bias] == g[c.b.layer<0>().bias]);
  STATIC_REQUIRE(!decltype(mixed)::computes_gradient_of<decltype(c.b.layer<0>().weight)>());
}

TEST_CASE("y = A(B(x)), nonlinear, two layers each: gradients of both models", "[two_models]") {
  tl::model<struct enc_tag, double, tl::Dense<4, 5, tl::ReLU>, tl::Dense<5, 3, tl::Tanh>> enc;
  tl::model<struct head_tag, double, tl::Dense<3, 3, tl::Sigmoid>, tl::Dense<3, 2>> head;
  fill_parameters(enc, 11.0);
  fill_parameters(head, 15.0);
  matrix<double> X = pattern(6, 4, 4.0);
  const matrix<double> T = pattern(6, 2, 5.0);

  // relu's pre-activations away from its kink (see op_check.hpp).
  const auto& first = enc.layer<0>();
  const matrix<double> z = (X * first.weight.value).rowwise() + first.bias.value.row(0);
  REQUIRE(z.cwiseAbs().minCoeff() > 1e-3);
  REQUIRE((z.array() < 0).any());

  const auto loss = tl::mse(head(enc(x)), t);
  auto step = tl::gradient(loss, enc, head);
  auto value = tl::evaluate(loss);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  auto run = [&] { return value(tl::feed(x, X), tl::feed(t, T)).loss(); };
  CHECK(g.loss() == run());
  check_parameters_against_fd(g, enc, run);
  check_parameters_against_fd(g, head, run);
}
