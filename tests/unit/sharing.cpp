// Shared sub-expressions: a sub-expression written twice is one node,
// computed once, whose adjoint collects every use; a layer applied twice
// shares its parameters, whose gradients add up; numbers scaling an
// expression are never merged.

#include <tapeless/tapeless.hpp>

#include "support.hpp"

namespace tl = tapeless;
using namespace tapeless_test;

namespace {

using model_t = tl::model<struct m_tag, double, tl::Dense<3, 3, tl::Tanh>>;
const tl::input<struct x_tag, double, 3> x;
const tl::input<struct t_tag, double, 3> t;
const tl::input<struct w_tag, double, 3> w;

const matrix<double> X = pattern(4, 3, 1.0);
const matrix<double> T = pattern(4, 3, 2.0);
const matrix<double> W = pattern(4, 3, 3.0);

}  // namespace

TEST_CASE("(y - t) * (y - t): one node used twice, same values as square", "[sharing]") {
  model_t m;
  fill_parameters(m, 4.0);
  const auto y = m(x);
  const auto loss = tl::mean((y - t) * (y - t));
  const auto reference = tl::mean(tl::square(y - t));

  // Distinct nodes: x, W, b, the layer, t, y - t, the product, the mean;
  // the tree holds y - t, and everything below it, twice.
  STATIC_REQUIRE(tl::graph::dag<decltype(loss)>::size == 8);
  STATIC_REQUIRE(tl::graph::dag<decltype(reference)>::size == 8);
  // tl::mse is one fused node: x, W, b, the layer, t, mse.
  STATIC_REQUIRE(tl::graph::dag<decltype(tl::mse(y, t))>::size == 6);

  auto step = tl::gradient(loss, m);
  auto reference_step = tl::gradient(reference, m);
  auto value = tl::evaluate(loss);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  const auto& r = reference_step(tl::feed(x, X), tl::feed(t, T));

  const matrix<double> Y =
      ((X * m.layer<0>().weight.value).rowwise() + m.layer<0>().bias.value.row(0)).array().tanh();
  CHECK(g.loss() == Approx((Y - T).array().square().mean()).epsilon(1e-12));
  CHECK(g.loss() == Approx(r.loss()).epsilon(1e-14));
  CHECK_THAT(g[m.layer<0>().weight], is_close_to(r[m.layer<0>().weight], 1e-14));
  CHECK_THAT(g[m.layer<0>().bias], is_close_to(r[m.layer<0>().bias], 1e-14));
  check_parameters_against_fd(g, m, [&] { return value(tl::feed(x, X), tl::feed(t, T)).loss(); });
}

TEST_CASE("y used several times: its adjoint collects every use", "[sharing]") {
  model_t m;
  fill_parameters(m, 5.0);
  const auto y = m(x);

  SECTION("y * y: both operands of one op") {
    const auto loss = tl::sum(w * (y * y));
    auto step = tl::gradient(loss, m);
    auto value = tl::evaluate(loss);
    const auto& g = step(tl::feed(x, X), tl::feed(w, W));
    check_parameters_against_fd(g, m, [&] { return value(tl::feed(x, X), tl::feed(w, W)).loss(); });
  }
  SECTION("y * y + y: two uses by one op and one by another") {
    const auto loss = tl::sum(w * (y * y + y));
    auto step = tl::gradient(loss, m);
    auto value = tl::evaluate(loss);
    const auto& g = step(tl::feed(x, X), tl::feed(w, W));
    check_parameters_against_fd(g, m, [&] { return value(tl::feed(x, X), tl::feed(w, W)).loss(); });
  }
  SECTION("mean(y) + softmax_cross_entropy(y, t) + mse(y, t): reductions that add") {
    // The reverse sweep reaches y - t first (its pullback assigns), then
    // the cross-entropy and the mean, whose pullbacks (row by row, and a
    // constant fill) must add to what is there.
    const auto loss = tl::mean(y) + tl::softmax_cross_entropy(y, t) + tl::mse(y, t);
    auto step = tl::gradient(loss, m);
    auto value = tl::evaluate(loss);
    const auto& g = step(tl::feed(x, X), tl::feed(t, T));
    check_parameters_against_fd(g, m, [&] { return value(tl::feed(x, X), tl::feed(t, T)).loss(); });
  }
}

TEST_CASE("a layer applied twice: its gradient is the sum of both contributions", "[sharing]") {
  model_t m;
  fill_parameters(m, 6.0);
  const auto& layer = m.layer<0>();
  auto loss = tl::mse(layer(layer(x)), t);

  // W and b are one node each: x, W, b, two layers, t, mse.
  STATIC_REQUIRE(tl::graph::dag<decltype(loss)>::size == 7);

  auto step = tl::gradient(loss, layer);
  auto value = tl::evaluate(loss);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  check_parameters_against_fd(g, m, [&] { return value(tl::feed(x, X), tl::feed(t, T)).loss(); });

  // The same network with the two applications as two models holding the
  // same values: their gradients are the two contributions, one each.
  tl::model<struct first_tag, double, tl::Dense<3, 3, tl::Tanh>> first;
  tl::model<struct second_tag, double, tl::Dense<3, 3, tl::Tanh>> second;
  first.copy_values_from(m);
  second.copy_values_from(m);
  const auto split = tl::mse(second(first(x)), t);
  auto split_step = tl::gradient(split, first, second);
  const auto& gs = split_step(tl::feed(x, X), tl::feed(t, T));
  CHECK(gs.loss() == g.loss());
  CHECK_THAT(g[layer.weight],
             is_close_to(gs[first.layer<0>().weight].eval() + gs[second.layer<0>().weight], 1e-14));
  CHECK_THAT(g[layer.bias],
             is_close_to(gs[first.layer<0>().bias].eval() + gs[second.layer<0>().bias], 1e-14));
  // Both contributions are there: neither alone is the total.
  CHECK((gs[first.layer<0>().weight] - g[layer.weight]).cwiseAbs().maxCoeff() > 1e-6);
  CHECK((gs[second.layer<0>().weight] - g[layer.weight]).cwiseAbs().maxCoeff() > 1e-6);
}

TEST_CASE("2 * y + 3 * y: scalings by different numbers stay distinct nodes", "[sharing]") {
  // Nodes that hold a run-time number are identified by position: merging
  // them by type would compute 2y + 2y or 3y + 3y.
  model_t m;
  fill_parameters(m, 7.0);
  const auto y = m(x);
  auto loss = tl::sum(w * (2 * y + 3 * y));
  // x, W, b, the layer, 2y, 3y, the sum of both, w, the product, the total.
  STATIC_REQUIRE(tl::graph::dag<decltype(loss)>::size == 10);

  auto step = tl::gradient(loss, m);
  auto value = tl::evaluate(loss);
  const auto& g = step(tl::feed(x, X), tl::feed(w, W));

  const matrix<double> Y =
      ((X * m.layer<0>().weight.value).rowwise() + m.layer<0>().bias.value.row(0)).array().tanh();
  CHECK(g.loss() == Approx(5.0 * (W.array() * Y.array()).sum()).epsilon(1e-12));
  check_parameters_against_fd(g, m, [&] { return value(tl::feed(x, X), tl::feed(w, W)).loss(); });
}
