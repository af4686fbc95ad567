// Gradients and values of the elementwise functions, the activations used
// as free functions, and the reductions.

#include "op_check.hpp"

namespace tl = tapeless;
using namespace tapeless_test;

namespace {

const matrix<double> A = pattern(4, 3, 3.0);

}  // namespace

TEST_CASE("square: value and gradient", "[ops]") {
  check_op([](auto a) { return tl::square(a); },
           [](const matrix<double>& a) -> matrix<double> { return a.array().square(); }, A);
}

TEST_CASE("exp: value and gradient", "[ops]") {
  check_op([](auto a) { return tl::exp(a); },
           [](const matrix<double>& a) -> matrix<double> { return a.array().exp(); }, A);
}

TEST_CASE("log: value and gradient, on positive inputs", "[ops]") {
  // ln is defined for x > 0; keep x well inside, where 1/x is moderate.
  const matrix<double> positive = A.array().abs() + 0.5;
  check_op([](auto a) { return tl::log(a); },
           [](const matrix<double>& a) -> matrix<double> { return a.array().log(); }, positive);
}

TEST_CASE("relu: value and gradient, away from the kink", "[ops][activations]") {
  // Every input at least 0.2 from 0, so the finite-difference step never
  // crosses the kink; both signs occur, so both branches are checked.
  const matrix<double> x = away_from_zero(A, 0.2);
  REQUIRE((x.array() > 0).any());
  REQUIRE((x.array() < 0).any());
  check_op([](auto a) { return tl::relu(a); },
           [](const matrix<double>& a) -> matrix<double> { return a.cwiseMax(0.0); }, x);
}

TEST_CASE("tanh: value and gradient", "[ops][activations]") {
  check_op([](auto a) { return tl::tanh(a); },
           [](const matrix<double>& a) -> matrix<double> { return a.array().tanh(); }, 2.0 * A);
}

TEST_CASE("sigmoid: value and gradient", "[ops][activations]") {
  check_op([](auto a) { return tl::sigmoid(a); },
           [](const matrix<double>& a) -> matrix<double> {
             return (1.0 + (-a.array()).exp()).inverse();
           },
           3.0 * A);
}

TEST_CASE("identity: value and gradient", "[ops][activations]") {
  check_op([](auto a) { return tl::identity(a); },
           [](const matrix<double>& a) -> matrix<double> { return a; }, A);
}

TEST_CASE("sum: value and gradient", "[ops][reductions]") {
  // A 1x1 result: the weight w is 1x1, so the upstream gradient is w, not 1.
  check_op([](auto a) { return tl::sum(a); },
           [](const matrix<double>& a) -> matrix<double> {
             return matrix<double>::Constant(1, 1, a.sum());
           },
           A);
}

TEST_CASE("mean: value and gradient", "[ops][reductions]") {
  check_op([](auto a) { return tl::mean(a); },
           [](const matrix<double>& a) -> matrix<double> {
             return matrix<double>::Constant(1, 1, a.mean());
           },
           A);
}

TEST_CASE("abs: value and gradient, away from the kink", "[ops]") {
  const matrix<double> x = away_from_zero(A, 0.2);
  REQUIRE((x.array() < 0).any());
  check_op([](auto a) { return tl::abs(a); },
           [](const matrix<double>& a) -> matrix<double> { return a.cwiseAbs(); }, x);
}

TEST_CASE("abs: the gradient at 0 is 0", "[ops]") {
  const tl::variable<struct v_tag, double, 3> v;
  matrix<double> V = pattern(2, 3, 4.0);
  V(1, 2) = 0.0;
  auto step = tl::gradient(tl::sum(tl::abs(v)), v);
  const auto& g = step(tl::feed(v, V));
  CHECK(g[v](1, 2) == 0.0);
  CHECK(g[v](0, 0) == (V(0, 0) > 0 ? 1.0 : -1.0));
}
