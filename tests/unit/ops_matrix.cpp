// The matrix operations computed weights are made of: matmul, transpose,
// reshape and broadcast_rows, each against its value written with Eigen
// and central finite differences, with the shapes they are used at.

#include <tapeless/inspect/check_gradients.hpp>
#include <tapeless/tapeless.hpp>

#include "support.hpp"

namespace tl = tapeless;
using namespace tapeless_test;

namespace {

// Differentiable operands of fixed shapes (weights are not batches).
const tl::variable<struct a_tag, double, 3, 4> a;  // 4 x 3
const tl::variable<struct b_tag, double, 2, 3> b;  // 3 x 2
const tl::variable<struct v_tag, double, 6, 1> v;  // 1 x 6
const tl::variable<struct r_tag, double, 2, 1> r;  // 1 x 2
const tl::input<struct x_tag, double, 3> x;        // a batch of 3 features
const tl::input<struct w_tag, double, 2> w;        // weights of the batch result

const matrix<double> A = pattern(4, 3, 1.0);
const matrix<double> B = pattern(3, 2, 2.0);
const matrix<double> V = pattern(1, 6, 3.0);
const matrix<double> R = pattern(1, 2, 4.0);
const matrix<double> X = pattern(5, 3, 5.0);

// sum(u * e) for a weight pattern u: every element of the result gets its
// own upstream gradient.
template <class E>
auto weighted(const E& e) {
  const tl::input<struct u_tag, double, E::cols, E::rows> u;
  return std::pair{tl::sum(u * e), u};
}

}  // namespace

TEST_CASE("matmul: value and gradients of both operands", "[ops][matrix]") {
  const auto weighted_loss = weighted(tl::matmul(a, b));
  const auto& loss = weighted_loss.first;
  const auto u = weighted_loss.second;  // (clang 14 cannot capture a structured binding)
  const matrix<double> U = pattern(4, 2, 6.0);
  auto step = tl::gradient(loss, a, b);
  auto value = tl::evaluate(loss);
  matrix<double> Ad = A, Bd = B;
  const auto& g = step(tl::feed(a, Ad), tl::feed(b, Bd), tl::feed(u, U));
  CHECK(g.loss() == Approx((U.array() * (A * B).array()).sum()).epsilon(1e-12));
  auto f = [&] { return value(tl::feed(a, Ad), tl::feed(b, Bd), tl::feed(u, U)).loss(); };
  CHECK_THAT(g[a], is_close_to(numeric_gradient(f, Ad), fd_tolerance));
  CHECK_THAT(g[b], is_close_to(numeric_gradient(f, Bd), fd_tolerance));
  // The closed forms: dA = U B^T, dB = A^T U.
  CHECK_THAT(g[a], is_close_to((U * B.transpose()).eval(), 1e-12));
  CHECK_THAT(g[b], is_close_to((A.transpose() * U).eval(), 1e-12));
}

TEST_CASE("matmul: a batch times a matrix, and a matrix with itself", "[ops][matrix]") {
  // x (batch x 3) times b (3 x 2): the rows stay the run-time batch.
  const auto xb = tl::matmul(x, b);
  STATIC_REQUIRE(decltype(xb)::rows == tl::dynamic);
  const auto loss = tl::sum(w * xb);
  const matrix<double> W = pattern(5, 2, 7.0);
  matrix<double> Bd = B;
  auto step = tl::gradient(loss, b);
  auto value = tl::evaluate(loss);
  const auto& g = step(tl::feed(x, X), tl::feed(b, Bd), tl::feed(w, W));
  CHECK_THAT(g[b], is_close_to((X.transpose() * W).eval(), 1e-12));
  auto f = [&] { return value(tl::feed(x, X), tl::feed(b, Bd), tl::feed(w, W)).loss(); };
  CHECK_THAT(g[b], is_close_to(numeric_gradient(f, Bd), fd_tolerance));

  // sum(S S) for a square S: one node used as both operands.
  const tl::variable<struct s_tag, double, 3, 3> s;
  matrix<double> Sd = pattern(3, 3, 8.0);
  auto sq = tl::gradient(tl::sum(tl::matmul(s, s)), s);
  auto sq_value = tl::evaluate(tl::sum(tl::matmul(s, s)));
  const auto& gs = sq(tl::feed(s, Sd));
  CHECK(gs.loss() == Approx((Sd * Sd).sum()).epsilon(1e-12));
  auto fs = [&] { return sq_value(tl::feed(s, Sd)).loss(); };
  CHECK_THAT(gs[s], is_close_to(numeric_gradient(fs, Sd), fd_tolerance));
}

TEST_CASE("transpose: value and gradient", "[ops][matrix]") {
  const auto weighted_loss = weighted(tl::transpose(a));
  const auto& loss = weighted_loss.first;
  const auto u = weighted_loss.second;  // (clang 14 cannot capture a structured binding)
  STATIC_REQUIRE(decltype(tl::transpose(a))::rows == 3);
  STATIC_REQUIRE(decltype(tl::transpose(a))::cols == 4);
  const matrix<double> U = pattern(3, 4, 9.0);
  matrix<double> Ad = A;
  auto step = tl::gradient(loss, a);
  const auto& g = step(tl::feed(a, Ad), tl::feed(u, U));
  CHECK(g.loss() == Approx((U.array() * A.transpose().array()).sum()).epsilon(1e-12));
  CHECK(g[a] == U.transpose());
}

TEST_CASE("reshape: row-major order, value and gradient", "[ops][matrix]") {
  const auto m = tl::reshape<2, 3>(v);
  auto show = tl::evaluate(m);
  matrix<double> Vd = V;
  const matrix<double> shown = show(tl::feed(v, Vd)).value();
  // W(i, j) = v(i * 3 + j).
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j) CHECK(shown(i, j) == V(0, i * 3 + j));

  const auto weighted_loss = weighted(tl::reshape<3, 2>(tl::reshape<2, 3>(v)));
  const auto& loss = weighted_loss.first;
  const auto u = weighted_loss.second;  // (clang 14 cannot capture a structured binding)
  const matrix<double> U = pattern(3, 2, 10.0);
  auto step = tl::gradient(loss, v);
  auto value = tl::evaluate(loss);
  const auto& g = step(tl::feed(v, Vd), tl::feed(u, U));
  auto f = [&] { return value(tl::feed(v, Vd), tl::feed(u, U)).loss(); };
  CHECK_THAT(g[v], is_close_to(numeric_gradient(f, Vd), fd_tolerance));
  for (int k = 0; k < 6; ++k) CHECK(g[v](0, k) == U(k / 2, k % 2));
}

TEST_CASE("broadcast_rows: value, gradient, and no gradient to the shape operand",
          "[ops][matrix]") {
  const tl::variable<struct xv_tag, double, 3> xv;
  const auto h = tl::matmul(xv, b);  // batch x 2
  const auto loss = tl::sum(w * (h + tl::broadcast_rows(r, h)));
  const matrix<double> W = pattern(5, 2, 11.0);
  matrix<double> Rd = R, Xd = X;
  auto step = tl::gradient(loss, r, xv);
  auto value = tl::evaluate(loss);
  const auto& g = step(tl::feed(xv, Xd), tl::feed(b, B), tl::feed(r, Rd), tl::feed(w, W));
  const matrix<double> expected = (X * B).rowwise() + R.row(0);
  CHECK(g.loss() == Approx((W.array() * expected.array()).sum()).epsilon(1e-12));
  CHECK_THAT(g[r], is_close_to(W.colwise().sum().eval(), 1e-12));
  auto f = [&] {
    return value(tl::feed(xv, Xd), tl::feed(b, B), tl::feed(r, Rd), tl::feed(w, W)).loss();
  };
  CHECK_THAT(g[r], is_close_to(numeric_gradient(f, Rd), fd_tolerance));
  // x reaches the loss through h only: its gradient is W B^T, nothing
  // through the shape operand.
  CHECK_THAT(g[xv], is_close_to((W * B.transpose()).eval(), 1e-12));
  CHECK_THAT(g[xv], is_close_to(numeric_gradient(f, Xd), fd_tolerance));

  // Through the shape operand alone, nothing depends on x.
  const auto only_shape = tl::sum(w * tl::broadcast_rows(r, h));
  STATIC_REQUIRE(tl::uses_v<decltype(only_shape), decltype(xv)>);
  STATIC_REQUIRE(!tl::depends_on_v<decltype(only_shape), decltype(xv)>);
  STATIC_REQUIRE(tl::depends_on_v<decltype(only_shape), decltype(r)>);
}

TEST_CASE("matrix operations in float", "[ops][matrix][float]") {
  const tl::variable<struct af_tag, float, 3, 4> af;
  const tl::variable<struct bf_tag, float, 2, 3> bf;
  const auto loss =
      tl::sum(tl::square(tl::matmul(af, bf))) + tl::sum(tl::reshape<2, 6>(tl::transpose(af)));
  auto step = tl::gradient(loss, af, bf);
  const matrix<float> Af = A.cast<float>(), Bf = B.cast<float>();
  const auto& g = step(tl::feed(af, Af), tl::feed(bf, Bf));
  const matrix<float> P = Af * Bf;
  CHECK_THAT(matrix<float>(g[bf]), is_close_to((2.0f * Af.transpose() * P).eval(), 1e-5));
  CHECK_THAT(matrix<float>(g[af]),
             is_close_to((2.0f * P * Bf.transpose() + matrix<float>::Ones(4, 3)).eval(), 1e-5));
}

TEST_CASE("concat and slice along features: values and gradients", "[ops][matrix]") {
  const tl::variable<struct ca_tag, double, 3> ca;
  const tl::variable<struct cb_tag, double, 2> cb;
  const tl::input<struct cw_tag, double, 5> cw;
  const matrix<double> CA = pattern(4, 3, 1.0), CB = pattern(4, 2, 2.0), CW = pattern(4, 5, 3.0);
  auto joined = tl::evaluate(tl::concat(ca, cb));
  const matrix<double> J = joined(tl::feed(ca, CA), tl::feed(cb, CB)).value();
  CHECK(J.leftCols(3) == CA);
  CHECK(J.rightCols(2) == CB);
  const auto report =
      tl::check_gradients(tl::sum(cw * tl::square(tl::concat(ca, cb))), tl::wrt(ca, cb),
                          tl::feed(ca, CA), tl::feed(cb, CB), tl::feed(cw, CW));
  INFO(report.text());
  CHECK(report.passed());

  // A slice from the middle, and one read with the whole: the pullback is
  // g in the slice's columns and 0 elsewhere, plus the other use.
  const tl::input<struct sw_tag, double, 2> sw;
  const matrix<double> SW = pattern(4, 2, 4.0);
  auto middle = tl::evaluate(tl::slice<1, 2>(ca));
  CHECK(middle(tl::feed(ca, CA)).value() == CA.middleCols(1, 2));
  const auto sliced = tl::sum(sw * tl::exp(tl::slice<1, 2>(ca))) + tl::sum(tl::slice<0, 1>(ca));
  const auto slice_report =
      tl::check_gradients(sliced, tl::wrt(ca), tl::feed(ca, CA), tl::feed(sw, SW));
  INFO(slice_report.text());
  CHECK(slice_report.passed());
  auto step = tl::gradient(tl::sum(sw * tl::slice<1, 2>(ca)), ca);
  const auto& g = step(tl::feed(ca, CA), tl::feed(sw, SW));
  CHECK(g[ca].col(0).isZero());
  CHECK(g[ca].middleCols(1, 2) == SW);
}

// A batch fixed at compile time makes a layer's products small enough for
// Eigen's unrolled path (kernels::product, assign and accumulate, inner
// dimension 1 or more) and a one-row bias a plain copy
// (kernels::broadcast_row); a run-time batch of the same rows takes the
// general path. Both must give the same loss and gradients. The tags are
// shared, so the run-time program is compiled once for both batches.
namespace {
using fixed_net_t = tl::model<struct fixed_net, double, tl::Dense<2, 5, tl::Tanh>, tl::Dense<5, 4>>;
const tl::variable<struct fr_tag, double, 4, 1> offset;
const tl::input<struct rx_tag, double, 2> rx;
const tl::input<struct rt_tag, double, 4> rt;

template <class In, class Target>
auto fixed_batch_loss(const fixed_net_t& net, const In& in, const Target& target) {
  const auto y = net(in);
  return tl::mse(y + tl::broadcast_rows(offset, y), target);
}

template <int Batch>
void fixed_batch_matches_runtime_batch() {
  fixed_net_t net;
  fill_parameters(net, 1.0);
  const matrix<double> O = pattern(1, 4, 9.0);
  const matrix<double> Xd = pattern(Batch, 2, 10.0), Td = pattern(Batch, 4, 11.0);
  const tl::input<struct fx_tag, double, 2, Batch> fx;
  const tl::input<struct ft_tag, double, 4, Batch> ft;
  auto fixed = tl::gradient(fixed_batch_loss(net, fx, ft), net, offset);
  auto runtime = tl::gradient(fixed_batch_loss(net, rx, rt), net, offset);
  const auto& gf = fixed(tl::feed(fx, Xd), tl::feed(ft, Td), tl::feed(offset, O));
  const auto& gr = runtime(tl::feed(rx, Xd), tl::feed(rt, Td), tl::feed(offset, O));
  CHECK(gf.loss() == Approx(gr.loss()).epsilon(1e-12));
  CHECK_THAT(matrix<double>(gf[offset]), is_close_to(gr[offset], 1e-12));
  net.for_each_parameter([&](const auto& p) {
    INFO("parameter " << p.name());
    CHECK(gr[p].cwiseAbs().maxCoeff() > 1e-3);
    CHECK_THAT(matrix<double>(gf[p]), is_close_to(gr[p], 1e-12));
  });
}
}  // namespace

TEST_CASE("a batch fixed at compile time (unrolled small products) equals a run-time batch",
          "[ops][matrix]") {
  fixed_batch_matches_runtime_batch<1>();
  fixed_batch_matches_runtime_batch<3>();
}
