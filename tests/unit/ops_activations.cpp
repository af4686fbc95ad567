// The activations and ops of real MLPs beyond the first four: LeakyReLU,
// ELU and Softplus (activations, usable in Dense), SiLU and GELU (ops: their
// derivatives need x), softmax and log-softmax along features, and the
// binary cross-entropy with logits; each against its formula written with
// Eigen and central finite differences, stability at large inputs, float.

#include <cmath>
#include <limits>

#include "op_check.hpp"

namespace tl = tapeless;
using namespace tapeless_test;

namespace {

const matrix<double> A = 2.0 * pattern(4, 3, 3.0);
const matrix<double> B = pattern(4, 3, 4.0);

double phi_cdf(double x) { return 0.5 * (1 + std::erf(x / std::sqrt(2.0))); }

}  // namespace

TEST_CASE("leaky_relu: value and gradient, away from the kink", "[ops][activations]") {
  const matrix<double> x = away_from_zero(A, 0.2);
  check_op([](auto a) { return tl::leaky_relu(a); },
           [](const matrix<double>& a) -> matrix<double> {
             return a.unaryExpr([](double v) { return v > 0 ? v : 0.01 * v; });
           },
           x);
  check_op([](auto a) { return tl::leaky_relu<std::ratio<1, 5>>(a); },
           [](const matrix<double>& a) -> matrix<double> {
             return a.unaryExpr([](double v) { return v > 0 ? v : 0.2 * v; });
           },
           x);
}

TEST_CASE("elu: value and gradient", "[ops][activations]") {
  const matrix<double> x = away_from_zero(A, 0.1);
  check_op([](auto a) { return tl::elu(a); },
           [](const matrix<double>& a) -> matrix<double> {
             return a.unaryExpr([](double v) { return v > 0 ? v : std::expm1(v); });
           },
           x);
}

TEST_CASE("softplus: value, gradient, and large inputs", "[ops][activations]") {
  check_op([](auto a) { return tl::softplus(a); },
           [](const matrix<double>& a) -> matrix<double> { return (1 + a.array().exp()).log(); },
           A);
  // ln(1 + e^x) for x = 800 is 800 (e^800 overflows), for -800 about e^-800.
  const tl::variable<struct big_tag, double, 2> v;
  matrix<double> V(1, 2);
  V << 800.0, -800.0;
  auto step = tl::gradient(tl::sum(tl::softplus(v)), v);
  const auto& g = step(tl::feed(v, V));
  CHECK(g.loss() == 800.0);
  CHECK(g[v](0, 0) == 1.0);
  CHECK(g[v](0, 1) == 0.0);
}

TEST_CASE("activations in a Dense layer", "[ops][activations]") {
  tl::model<struct act_tag, double, tl::Dense<3, 4, tl::ELU>, tl::Dense<4, 3, tl::Softplus>,
            tl::Dense<3, 2, tl::LeakyReLU<>>>
      m;
  fill_parameters(m, 2.0);
  const tl::input<struct x_tag, double, 3> x;
  const tl::input<struct t_tag, double, 2> t;
  auto step = tl::gradient(tl::mse(m(x), t), m);
  auto value = tl::evaluate(tl::mse(m(x), t));
  const matrix<double> X = pattern(5, 3, 1.0), T = pattern(5, 2, 2.0);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  check_parameters_against_fd(g, m, [&] { return value(tl::feed(x, X), tl::feed(t, T)).loss(); });
}

TEST_CASE("silu: value and gradient", "[ops]") {
  check_op([](auto a) { return tl::silu(a); },
           [](const matrix<double>& a) -> matrix<double> {
             return a.array() / (1 + (-a.array()).exp());
           },
           A);
}

TEST_CASE("gelu, exact and tanh: value and gradient", "[ops]") {
  check_op([](auto a) { return tl::gelu(a); },
           [](const matrix<double>& a) -> matrix<double> {
             return a.unaryExpr([](double v) { return v * phi_cdf(v); });
           },
           A);
  check_op([](auto a) { return tl::gelu_tanh(a); },
           [](const matrix<double>& a) -> matrix<double> {
             const double k = std::sqrt(2.0 / M_PI);
             return a.unaryExpr([k](double v) {
               return 0.5 * v * (1 + std::tanh(k * (v + 0.044715 * v * v * v)));
             });
           },
           A);
}

TEST_CASE("softmax and log_softmax along features", "[ops]") {
  auto reference = [](const matrix<double>& a) -> matrix<double> {
    matrix<double> y = a.array().exp();
    for (Eigen::Index i = 0; i < y.rows(); ++i) y.row(i) /= y.row(i).sum();
    return y;
  };
  check_op([](auto a) { return tl::softmax(a); }, reference, A);
  check_op([](auto a) { return tl::log_softmax(a); },
           [&](const matrix<double>& a) -> matrix<double> { return reference(a).array().log(); },
           A);
  // Large inputs: shifted by the row's maximum, no overflow.
  const tl::variable<struct big_tag, double, 3> v;
  matrix<double> V(1, 3);
  V << 1000.0, 1001.0, 1002.0;
  auto big = tl::evaluate(tl::log_softmax(v));
  const matrix<double> y = big(tl::feed(v, V)).value();
  const matrix<double> expected = reference(V.array() - 1002.0).array().log();
  CHECK_THAT(y, is_close_to(expected, 1e-12));
}

TEST_CASE("binary_cross_entropy_with_logits: value, gradient, large logits", "[ops][losses]") {
  const matrix<double> targets = (B.array() + 1.0) / 2.0;  // in [0, 1]
  check_op([](auto z, auto t) { return tl::binary_cross_entropy_with_logits(z, t); },
           [](const matrix<double>& z, const matrix<double>& t) -> matrix<double> {
             const matrix<double> s = (1 + (-z.array()).exp()).inverse();
             const double l =
                 -(t.array() * s.array().log() + (1 - t.array()) * (1 - s.array()).log()).mean();
             return matrix<double>::Constant(1, 1, l);
           },
           A, targets);
  // |z| = 500: sigmoid rounds to 0 or 1 and the naive formula gives inf or
  // NaN; this one gives the exact loss, 500 for a wrong sign, 0 for right.
  const tl::variable<struct z_tag, double, 2> z;
  const tl::input<struct t_tag, double, 2> t;
  matrix<double> Z(1, 2), T(1, 2);
  Z << 500.0, -500.0;
  T << 0.0, 0.0;
  auto step = tl::gradient(tl::binary_cross_entropy_with_logits(z, t), z);
  const auto& g = step(tl::feed(z, Z), tl::feed(t, T));
  CHECK(g.loss() == Approx(250.0));
  CHECK(g[z](0, 0) == Approx(0.5));
  CHECK(g[z](0, 1) >= 0.0);
  CHECK(g[z](0, 1) < 1e-200);  // sigmoid(-500) / 2
}

TEST_CASE("the new ops in float", "[ops][float]") {
  const tl::variable<struct f_tag, float, 3> v;
  const matrix<float> V = A.cast<float>();
  auto step = tl::gradient(
      tl::sum(tl::gelu(v) + tl::silu(v) + tl::softplus(v) + tl::elu(v) + tl::log_softmax(v)), v);
  auto reference = tl::gradient(tl::sum(tl::gelu(tl::variable<struct d_tag, double, 3>{}) +
                                        tl::silu(tl::variable<struct d_tag, double, 3>{}) +
                                        tl::softplus(tl::variable<struct d_tag, double, 3>{}) +
                                        tl::elu(tl::variable<struct d_tag, double, 3>{}) +
                                        tl::log_softmax(tl::variable<struct d_tag, double, 3>{})),
                                tl::variable<struct d_tag, double, 3>{});
  const auto& g = step(tl::feed(v, V));
  const auto& r = reference(tl::feed(tl::variable<struct d_tag, double, 3>{}, A));
  CHECK_THAT(matrix<float>(g[v]),
             is_close_to(r[tl::variable<struct d_tag, double, 3>{}].cast<float>().eval(), 1e-5));
}

TEST_CASE("huber: value and gradient on both sides of delta", "[ops][losses]") {
  // Differences both within and beyond delta = 0.5 (and away from the joins).
  const matrix<double> y = away_from_zero(A, 0.05), t = 0.3 * B;
  auto reference = [](double delta) {
    return [delta](const matrix<double>& a, const matrix<double>& b) -> matrix<double> {
      const matrix<double> d = (a - b).cwiseAbs();
      const double l = d.unaryExpr([delta](double v) {
                          return v <= delta ? 0.5 * v * v : delta * (v - 0.5 * delta);
                        }).mean();
      return matrix<double>::Constant(1, 1, l);
    };
  };
  check_op([](auto a, auto b) { return tl::huber(a, b, 0.5); }, reference(0.5), y, t);
  check_op([](auto a, auto b) { return tl::huber(a, b); }, reference(1.0), y, t);
  // Two huber nodes with different deltas stay two nodes.
  const tl::variable<struct h_tag, double, 3> h;
  const tl::input<struct ht_tag, double, 3> ht;
  auto both = tl::evaluate(tl::huber(h, ht, 0.5) + tl::huber(h, ht, 2.0));
  const double expected = reference(0.5)(y, t)(0, 0) + reference(2.0)(y, t)(0, 0);
  CHECK(both(tl::feed(h, y), tl::feed(ht, t)).loss() == Approx(expected).epsilon(1e-12));
}

TEST_CASE("nll and cross_entropy at integer class labels", "[ops][losses]") {
  const tl::variable<struct z_tag, double, 4> z;
  const tl::input<struct label_tag, double, 1> labels;
  matrix<double> Z = 3.0 * pattern(5, 4, 6.0);
  matrix<double> L(5, 1);
  L << 0, 3, 1, 1, 2;
  // The one-hot rows of the same labels: softmax_cross_entropy agrees.
  const tl::input<struct onehot_tag, double, 4> t;
  matrix<double> T = matrix<double>::Zero(5, 4);
  for (int r = 0; r < 5; ++r) T(r, static_cast<int>(L(r, 0))) = 1;

  auto ce = tl::gradient(tl::cross_entropy(z, labels), z);
  auto onehot = tl::gradient(tl::softmax_cross_entropy(z, t), z);
  auto nll = tl::gradient(tl::nll(tl::log_softmax(z), labels), z);
  const auto& g = ce(tl::feed(z, Z), tl::feed(labels, L));
  const auto& o = onehot(tl::feed(z, Z), tl::feed(t, T));
  const auto& n = nll(tl::feed(z, Z), tl::feed(labels, L));
  CHECK(g.loss() == Approx(o.loss()).epsilon(1e-12));
  CHECK(n.loss() == Approx(o.loss()).epsilon(1e-12));
  CHECK_THAT(g[z], is_close_to(matrix<double>(o[z]), 1e-12));
  CHECK_THAT(n[z], is_close_to(matrix<double>(o[z]), 1e-12));
  auto value = tl::evaluate(tl::cross_entropy(z, labels));
  CHECK_THAT(g[z],
             is_close_to(numeric_gradient(
                             [&] { return value(tl::feed(z, Z), tl::feed(labels, L)).loss(); }, Z),
                         fd_tolerance));
  // The labels are data: not differentiable, and checked at run time.
  STATIC_REQUIRE(
      !tl::depends_on_v<decltype(tl::cross_entropy(z, tl::variable<struct lv, double, 1>{})),
                        tl::variable<struct lv, double, 1>>);
  matrix<double> bad = L;
  bad(2, 0) = 4;
  CHECK_THROWS_AS(ce(tl::feed(z, Z), tl::feed(labels, bad)), tl::shape_error);
  CHECK_THROWS_WITH(ce(tl::feed(z, Z), tl::feed(labels, bad)),
                    Catch::Matchers::Contains("row 2") && Catch::Matchers::Contains("[0, 4)"));
  bad(2, 0) = 1.5;
  CHECK_THROWS_AS(ce(tl::feed(z, Z), tl::feed(labels, bad)), tl::shape_error);
  // Labels no integer type holds: refused before any conversion (which
  // would be undefined behaviour, as the sanitizer build reports).
  for (const double v : {std::numeric_limits<double>::quiet_NaN(), 1e30, -1e30}) {
    bad(2, 0) = v;
    CHECK_THROWS_AS(ce(tl::feed(z, Z), tl::feed(labels, bad)), tl::shape_error);
    CHECK_THROWS_AS(nll(tl::feed(z, Z), tl::feed(labels, bad)), tl::shape_error);
  }
}
