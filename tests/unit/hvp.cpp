// Hessian-vector products (tl::hvp) against central differences of
// gradients, on one-model, two-model, shared-layer and computed-weight
// graphs, in double and float; and the structural zero of relu's second
// derivative.

#include <tapeless/tapeless.hpp>

#include "support.hpp"

namespace tl = tapeless;
using namespace tapeless_test;

namespace {

const tl::input<struct x_tag, double, 3> x;
const tl::input<struct t_tag, double, 2> t;
const matrix<double> X = pattern(6, 3, 1.0);
const matrix<double> T = pattern(6, 2, 2.0);

// The value of a gradient expression for the test data.
template <class E>
matrix<double> value_of(const E& e) {
  auto program = tl::evaluate(e);
  return program(tl::feed(x, X), tl::feed(t, T)).value();
}

// H v by central differences of the gradient program `step` along the
// direction held by `dir` (a model of the same architecture as `m`), for
// every parameter of m, in m's parameter order.
template <class Step, class Model, class Dir>
std::vector<matrix<double>> numeric_hvp(Step& step, Model& m, const Dir& dir) {
  constexpr double h = 1e-5;
  auto move = [&](double by) {
    auto d = dir.parameters_in_order();
    std::size_t i = 0;
    m.for_each_parameter([&](auto& p) { p.value += by * d[i++]; });
  };
  auto gradients = [&] {
    std::vector<matrix<double>> out;
    const auto& g = step(tl::feed(x, X), tl::feed(t, T));
    m.for_each_parameter([&](auto& p) { out.push_back(g[p]); });
    return out;
  };
  move(h);
  auto plus = gradients();
  move(-2 * h);
  auto minus = gradients();
  move(h);
  for (std::size_t i = 0; i < plus.size(); ++i) plus[i] = (plus[i] - minus[i]) / (2 * h);
  return plus;
}

// A model's parameter values in order, as a direction.
template <class Model>
struct direction {
  Model model;
  std::vector<matrix<double>> parameters_in_order() const {
    std::vector<matrix<double>> out;
    model.for_each_parameter([&](const auto& p) { out.push_back(p.value); });
    return out;
  }
};

}  // namespace

TEST_CASE("hvp on one model against differences of gradients", "[grad][hvp]") {
  using net_t = tl::model<struct net, double, tl::Dense<3, 4, tl::Tanh>, tl::Dense<4, 2>>;
  net_t m;
  direction<tl::model<struct dir, double, tl::Dense<3, 4, tl::Tanh>, tl::Dense<4, 2>>> v;
  fill_parameters(m, 1.0);
  fill_parameters(v.model, 7.0);
  const auto loss = tl::mse(m(x), t);
  const auto hv = tl::hvp(loss, m, v.model);
  auto step = tl::gradient(loss, m);
  const auto numeric = numeric_hvp(step, m, v);
  std::size_t i = 0;
  m.for_each_parameter([&](const auto& p) {
    INFO(p.name());
    CHECK_THAT(value_of(hv[p]), is_close_to(numeric[i++], fd_tolerance));
  });
}

TEST_CASE("hvp on two models, one request", "[grad][hvp]") {
  tl::model<struct enc, double, tl::Dense<3, 3, tl::Sigmoid>> e;
  tl::model<struct head, double, tl::Dense<3, 2, tl::Tanh>> h;
  tl::model<struct v_enc, double, tl::Dense<3, 3, tl::Sigmoid>> ve;
  tl::model<struct v_head, double, tl::Dense<3, 2, tl::Tanh>> vh;
  fill_parameters(e, 1.0);
  fill_parameters(h, 3.0);
  fill_parameters(ve, 5.0);
  fill_parameters(vh, 9.0);
  const auto loss = tl::mse(h(e(x)), t);
  const auto hv = tl::hvp(loss, tl::wrt(e, h), tl::wrt(ve, vh));
  // Differences of the gradient along (ve, vh) jointly.
  auto step = tl::gradient(loss, e, h);
  constexpr double d = 1e-5;
  auto move = [&](double by) {
    e.layer<0>().weight.value += by * ve.layer<0>().weight.value;
    e.layer<0>().bias.value += by * ve.layer<0>().bias.value;
    h.layer<0>().weight.value += by * vh.layer<0>().weight.value;
    h.layer<0>().bias.value += by * vh.layer<0>().bias.value;
  };
  move(d);
  const matrix<double> plus_e = step(tl::feed(x, X), tl::feed(t, T))[e.layer<0>().weight];
  const matrix<double> plus_h = step[h.layer<0>().weight];
  move(-2 * d);
  const matrix<double> minus_e = step(tl::feed(x, X), tl::feed(t, T))[e.layer<0>().weight];
  const matrix<double> minus_h = step[h.layer<0>().weight];
  move(d);
  CHECK_THAT(value_of(hv[e.layer<0>().weight]),
             is_close_to(matrix<double>((plus_e - minus_e) / (2 * d)), fd_tolerance));
  CHECK_THAT(value_of(hv[h.layer<0>().weight]),
             is_close_to(matrix<double>((plus_h - minus_h) / (2 * d)), fd_tolerance));
}

TEST_CASE("hvp through a shared layer and computed weights", "[grad][hvp]") {
  // One layer applied twice, and a layer whose weight is computed from it
  // and a stored matrix of another model.
  tl::model<struct net, double, tl::Dense<3, 3, tl::Tanh>> m;
  tl::model<struct dec, double, tl::Dense<3, 2>> d;
  direction<tl::model<struct dir, double, tl::Dense<3, 3, tl::Tanh>>> v;
  fill_parameters(m, 4.0);
  fill_parameters(d, 6.0);
  fill_parameters(v.model, 8.0);
  const auto& l = m.layer<0>();
  const auto& out = d.layer<0>();
  const auto computed = tl::matmul(tl::transpose(l.weight), out.weight);  // 3 x 2
  const auto loss = tl::mse(out.with_weights(computed, out.bias)(l(l(x))), t);
  const auto hv = tl::hvp(loss, m, v.model);
  auto step = tl::gradient(loss, m);
  const auto numeric = numeric_hvp(step, m, v);
  CHECK_THAT(value_of(hv[l.weight]), is_close_to(numeric[0], fd_tolerance));
  CHECK_THAT(value_of(hv[l.bias]), is_close_to(numeric[1], fd_tolerance));
}

TEST_CASE("hvp in float agrees with double", "[grad][hvp]") {
  const tl::input<struct xf_tag, float, 3> xf;
  const tl::input<struct tf_tag, float, 2> tf;
  tl::model<struct net, float, tl::Dense<3, 4, tl::Tanh>, tl::Dense<4, 2>> m;
  tl::model<struct dir, float, tl::Dense<3, 4, tl::Tanh>, tl::Dense<4, 2>> v;
  tl::model<struct net, double, tl::Dense<3, 4, tl::Tanh>, tl::Dense<4, 2>> md;
  tl::model<struct dir, double, tl::Dense<3, 4, tl::Tanh>, tl::Dense<4, 2>> vd;
  fill_parameters(m, 1.0);
  fill_parameters(v, 2.0);
  fill_parameters(md, 1.0);
  fill_parameters(vd, 2.0);
  const Eigen::MatrixXf Xf = X.cast<float>(), Tf = T.cast<float>();
  auto single = tl::evaluate(tl::hvp(tl::mse(m(xf), tf), m, v)[m.layer<0>().weight]);
  const matrix<float> hf = single(tl::feed(xf, Xf), tl::feed(tf, Tf)).value();
  const matrix<double> hd = value_of(tl::hvp(tl::mse(md(x), t), md, vd)[md.layer<0>().weight]);
  CHECK_THAT(matrix<double>(hf.cast<double>()), is_close_to(hd, 1e-5));
}

TEST_CASE("relu's second derivative is zero, and known to be", "[grad][hvp]") {
  // sum(relu(x W)) is piecewise linear in W: its gradient x^T step(x W) does
  // not depend on W, so the Hessian block is zero by structure; differences
  // of gradients agree exactly (no kink is crossed).
  tl::model<struct net, double, tl::Dense<3, 2, tl::ReLU>> m;
  fill_parameters(m, 1.0);
  const auto loss = tl::sum(m(x)) + 0.0 * tl::sum(t);  // reads t, as value_of feeds it
  using W = std::remove_cvref_t<decltype(m.layer<0>().weight)>;
  using L = decltype(loss);
  STATIC_REQUIRE(tl::hessian_block_is_zero_v<L, W, W>);
  STATIC_REQUIRE(!tl::depends_on_v<decltype(tl::grad(loss, m.layer<0>().weight)), W>);
  const auto g = tl::grad(loss, m.layer<0>().weight);
  const matrix<double> before = value_of(g);
  m.layer<0>().weight.value.array() += 1e-6;
  CHECK(value_of(g) == before);
  // With tl::unconnected_as_zero the product is a zero expression.
  const auto hv = tl::grad(tl::unconnected_as_zero, tl::sum(g * g), m.layer<0>().weight);
  CHECK(value_of(hv) == matrix<double>::Zero(3, 2));
}
