// tl::clamp: the value against Eigen's, the gradient against finite
// differences (away from the bounds, where it is not differentiable), the
// mask exactly (0 outside [lo, hi], the upstream gradient inside and on the
// bounds), the second derivative through tl::grad, float against double.

#include <stdexcept>

#include "op_check.hpp"

namespace tl = tapeless;
using namespace tapeless_test;

namespace {

constexpr double lo = -0.4, hi = 0.3;

// The pattern's values, moved at least 0.05 away from both bounds so that
// the finite-difference step never crosses one; some below, some inside,
// some above.
matrix<double> data() {
  return pattern(5, 3, 7.0).unaryExpr([](double v) {
    for (const double b : {lo, hi})
      if (std::abs(v - b) < 0.05) v = v < b ? b - 0.05 : b + 0.05;
    return v;
  });
}

matrix<double> reference(const matrix<double>& a) { return a.cwiseMax(lo).cwiseMin(hi); }

}  // namespace

TEST_CASE("clamp: value and gradient, away from the bounds", "[ops]") {
  const matrix<double> X = data();
  REQUIRE((X.array() < lo).any());
  REQUIRE((X.array() > hi).any());
  REQUIRE((X.array() > lo && X.array() < hi).any());
  check_op([](auto a) { return tl::clamp(a, lo, hi); }, reference, X);
}

TEST_CASE("clamp: the gradient is the upstream one inside and on the bounds, 0 outside", "[ops]") {
  const tl::variable<struct v_tag, double, 4> v;
  const tl::input<struct w_tag, double, 4> w;
  matrix<double> V(2, 4), W(2, 4);
  V << -2.0, lo, 0.1, hi,  //
      0.5, -0.41, 0.29, 7.0;
  W << 1.5, 2.5, 3.5, 4.5,  //
      5.5, 6.5, 7.5, 8.5;
  auto step = tl::gradient(tl::sum(w * tl::clamp(v, lo, hi)), v);
  const auto& g = step(tl::feed(v, V), tl::feed(w, W));
  matrix<double> expected(2, 4);
  expected << 0.0, 2.5, 3.5, 4.5,  //
      0.0, 0.0, 7.5, 0.0;
  CHECK(g[v] == expected);
  CHECK(g.loss() == Approx((W.array() * reference(V).array()).sum()).epsilon(1e-15));
}

TEST_CASE("clamp: second derivatives through tl::grad", "[ops][grad]") {
  // f = sum(c^2 / 2 + c^3 / 3), c = clamp(x): df/dx = (c + c^2) [inside],
  // d2f/dx2 = (1 + 2c) [inside], elementwise. The mask's own derivative is
  // zero: it is a step, through which no gradient flows.
  const tl::variable<struct v_tag, double, 3> v;
  const tl::input<struct u_tag, double, 3> u;  // a direction
  const matrix<double> X = data(), U = pattern(5, 3, 9.0);
  const auto c = tl::clamp(v, lo, hi);
  const auto f = tl::sum(0.5 * tl::square(c) + (1.0 / 3.0) * tl::square(c) * c);
  const auto g = tl::grad(f, v);
  const matrix<double> inside = (X.array() >= lo && X.array() <= hi).cast<double>();
  const matrix<double> C = reference(X);

  auto first = tl::evaluate(g);
  CHECK_THAT(first(tl::feed(v, X)).value(),
             is_close_to(matrix<double>(inside.array() * (C.array() + C.array().square())), 1e-14));

  // H u as the gradient of <g, u>: diagonal, (1 + 2c) u inside, 0 outside.
  auto hvp = tl::gradient(tl::sum(g * u), v);
  const auto& h = hvp(tl::feed(v, X), tl::feed(u, U));
  const matrix<double> expected = inside.array() * (1 + 2 * C.array()) * U.array();
  CHECK_THAT(matrix<double>(h[v]), is_close_to(expected, 1e-14));
  CHECK(expected.cwiseAbs().maxCoeff() > 0.1);
}

TEST_CASE("clamp in float gives the double result", "[ops][float]") {
  const tl::variable<struct f_tag, float, 3> vf;
  const tl::variable<struct d_tag, double, 3> vd;
  const matrix<double> X = data();
  const matrix<float> Xf = X.cast<float>();
  auto sf = tl::gradient(tl::sum(tl::square(tl::clamp(vf, lo, hi)) * vf), vf);
  auto sd = tl::gradient(tl::sum(tl::square(tl::clamp(vd, lo, hi)) * vd), vd);
  const auto& gf = sf(tl::feed(vf, Xf));
  const auto& gd = sd(tl::feed(vd, X));
  CHECK(gf.loss() == Approx(gd.loss()).epsilon(1e-5));
  CHECK_THAT(matrix<float>(gf[vf]), is_close_to(matrix<float>(gd[vd].cast<float>()), 1e-5));
  CHECK(gd[vd].cwiseAbs().maxCoeff() > 0.1);
}

TEST_CASE("clamp: lo above hi is refused where the expression is built", "[ops][errors]") {
  const tl::variable<struct v_tag, double, 3> v;
  CHECK_THROWS_AS(tl::clamp(v, 1.0, -1.0), std::invalid_argument);
  CHECK_THROWS_WITH(tl::clamp(v, 1.0, -1.0), Catch::Matchers::Contains("lo <= hi"));
  CHECK_NOTHROW(tl::clamp(v, 0.5, 0.5));
}
