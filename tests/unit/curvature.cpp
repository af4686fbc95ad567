// Second-order uses of gradient expressions: the Hessian (symmetric, equal
// to differences of gradients, structurally zero blocks never computed),
// per-example Jacobians and Jacobian-vector products against finite
// differences, a WGAN-GP gradient penalty and a MAML outer gradient, each
// differentiated with respect to a model's parameters.

#include <tapeless/tapeless.hpp>

#include "support.hpp"

namespace tl = tapeless;
using namespace tapeless_test;

namespace {

const tl::input<struct x_tag, double, 2> x;
const tl::input<struct t_tag, double, 1> t;
const matrix<double> X = pattern(7, 2, 1.0);
const matrix<double> T = pattern(7, 1, 2.0);

}  // namespace

TEST_CASE("the Hessian is symmetric and equals differences of gradients", "[hessian]") {
  tl::model<struct net, double, tl::Dense<2, 3, tl::Tanh>, tl::Dense<3, 1, tl::Sigmoid>> m;
  fill_parameters(m, 1.0);
  const auto loss = tl::mse(m(x), t);
  auto& w0 = m.layer<0>().weight;  // 2 x 3
  auto& b1 = m.layer<1>().bias;    // 1 x 1
  auto hessian = tl::hessian(loss, w0, b1);
  const matrix<double> H = hessian(tl::feed(x, X), tl::feed(t, T));
  REQUIRE(H.rows() == 7);
  REQUIRE(H.cols() == 7);
  CHECK_THAT(matrix<double>(H.transpose()), is_close_to(H, 1e-12));

  // Column k: the gradient's change when element k moves (row-major order).
  auto step = tl::gradient(loss, w0, b1);
  matrix<double> numeric(7, 7);
  auto element = [&](Eigen::Index k) -> double& {
    return k < 6 ? w0.value(k / 3, k % 3) : b1.value(0, 0);
  };
  auto flat = [&] {
    const auto& g = step(tl::feed(x, X), tl::feed(t, T));
    matrix<double> out(7, 1);
    for (Eigen::Index k = 0; k < 6; ++k) out(k) = g[w0](k / 3, k % 3);
    out(6) = g[b1](0, 0);
    return out;
  };
  constexpr double h = 1e-5;
  for (Eigen::Index k = 0; k < 7; ++k) {
    element(k) += h;
    const matrix<double> plus = flat();
    element(k) -= 2 * h;
    const matrix<double> minus = flat();
    element(k) += h;
    numeric.col(k) = (plus - minus) / (2 * h);
  }
  CHECK_THAT(H, is_close_to(numeric, fd_tolerance));

  // And column k is the HVP with the k-th unit vector.
  const tl::input<struct v_tag, double, 3, 2> v;  // w0's shape, fixed rows
  auto hvp = tl::evaluate(tl::hvp(loss, w0, v));
  matrix<double> unit = matrix<double>::Zero(2, 3);
  unit(1, 0) = 1;
  const matrix<double> column = hvp(tl::feed(x, X), tl::feed(t, T), tl::feed(v, unit)).value();
  for (Eigen::Index k = 0; k < 6; ++k)
    CHECK(column(k / 3, k % 3) == Approx(H(k, 3)).epsilon(1e-12));
}

TEST_CASE("Hessian blocks that are zero by structure are known and not computed", "[hessian]") {
  // Two models that meet only additively: no cross-derivative. And a loss
  // linear in a bias: no second derivative in it.
  tl::model<struct a_tag, double, tl::Dense<2, 1, tl::Tanh>> a;
  tl::model<struct b_tag, double, tl::Dense<2, 1, tl::Tanh>> b;
  fill_parameters(a, 1.0);
  fill_parameters(b, 2.0);
  const auto loss = tl::mse(a(x), t) + tl::mean(b(x));
  using L = decltype(loss);
  using WA = std::remove_cvref_t<decltype(a.layer<0>().weight)>;
  using WB = std::remove_cvref_t<decltype(b.layer<0>().weight)>;
  using BB = std::remove_cvref_t<decltype(b.layer<0>().bias)>;
  STATIC_REQUIRE(tl::hessian_block_is_zero_v<L, WA, WB>);
  STATIC_REQUIRE(tl::hessian_block_is_zero_v<L, WB, WA>);
  STATIC_REQUIRE(!tl::hessian_block_is_zero_v<L, WA, WA>);
  STATIC_REQUIRE(!tl::hessian_block_is_zero_v<L, WB, WB>);
  // A Dense layer's output is linear in its bias, but tanh is not.
  STATIC_REQUIRE(!tl::hessian_block_is_zero_v<L, BB, BB>);
  const auto linear = tl::mean(tl::matmul(x, b.layer<0>().weight));
  STATIC_REQUIRE(tl::hessian_block_is_zero_v<decltype(linear), WB, WB>);

  auto hessian = tl::hessian(loss, a.layer<0>().weight, b.layer<0>().weight);
  using H = decltype(hessian);
  STATIC_REQUIRE(H::computes_block<0, 0>());
  STATIC_REQUIRE(!H::computes_block<0, 1>());
  STATIC_REQUIRE(!H::computes_block<1, 0>());
  STATIC_REQUIRE(H::computes_block<1, 1>());
  const matrix<double> values = hessian(tl::feed(x, X), tl::feed(t, T));
  CHECK(values.block(0, 2, 2, 2) == matrix<double>::Zero(2, 2));
  CHECK(values.block(2, 0, 2, 2) == matrix<double>::Zero(2, 2));
  CHECK(values.block(0, 0, 2, 2).norm() > 0);
  CHECK(values.block(2, 2, 2, 2).norm() > 0);
}

TEST_CASE("per-example Jacobian and Jacobian-vector product", "[jacobian]") {
  const tl::variable<struct in_tag, double, 2> xv;
  const tl::input<struct u_tag, double, 2> u;
  tl::model<struct net, double, tl::Dense<2, 4, tl::Tanh>, tl::Dense<4, 3, tl::Softplus>> m;
  fill_parameters(m, 3.0);
  const auto f = m(xv);
  auto jacobian = tl::jacobian(f, xv);
  const auto& J = jacobian(tl::feed(xv, X));
  REQUIRE(J.batch() == 7);

  matrix<double> data = X;
  auto outputs = tl::evaluate(f);
  for (Eigen::Index o = 0; o < 3; ++o) {
    // Examples are independent: d sum_b f(b, o) / dx(b', i) = J[b'](o, i).
    const matrix<double> numeric =
        numeric_gradient([&] { return outputs(tl::feed(xv, data)).value().col(o).sum(); }, data);
    for (Eigen::Index b = 0; b < 7; ++b)
      CHECK_THAT(matrix<double>(J[b].row(o)),
                 is_close_to(matrix<double>(numeric.row(b)), fd_tolerance));
  }

  const matrix<double> U = pattern(7, 2, 5.0);
  auto jvp = tl::jvp(f, xv, u);
  const matrix<double> Ju = jvp(tl::feed(xv, X), tl::feed(u, U));
  REQUIRE(Ju.rows() == 7);
  for (Eigen::Index b = 0; b < 7; ++b)
    CHECK_THAT(matrix<double>(Ju.row(b)),
               is_close_to(matrix<double>((J[b] * U.row(b).transpose()).transpose()), 1e-12));
}

TEST_CASE("WGAN-GP: a gradient penalty in the critic's loss", "[gradient_penalty]") {
  // L = mean D(fake) - mean D(real) + 10 mean (|grad_x D(x_hat)| - 1)^2,
  // the norm per example; its gradient with respect to the critic.
  const tl::input<struct real_tag, double, 2> real;
  const tl::input<struct fake_tag, double, 2> fake;
  const tl::variable<struct hat_tag, double, 2> hat;
  tl::model<struct critic, double, tl::Dense<2, 5, tl::Tanh>, tl::Dense<5, 1>> d;
  fill_parameters(d, 2.0);
  const auto input_gradient = tl::grad(tl::sum(d(hat)), hat);  // batch x 2
  const auto norms = tl::sqrt(tl::sum_features(tl::square(input_gradient)));
  const auto loss =
      tl::mean(d(fake)) - tl::mean(d(real)) + 10.0 * tl::mean(tl::square(norms - 1.0));
  const matrix<double> R = pattern(7, 2, 3.0), F = pattern(7, 2, 4.0);
  const matrix<double> Hat = 0.3 * R + 0.7 * F;
  auto feeds = [&](auto& program) -> decltype(auto) {
    return program(tl::feed(real, R), tl::feed(fake, F), tl::feed(hat, Hat));
  };
  auto step = tl::gradient(loss, d);
  auto value = tl::evaluate(loss);
  const auto& g = feeds(step);
  auto f = [&] { return feeds(value).loss(); };
  auto [w0, b0] = d.layer<0>().parameters();
  auto [w1, b1] = d.layer<1>().parameters();
  CHECK_THAT(g[w0], is_close_to(numeric_gradient(f, w0.value), fd_tolerance));
  CHECK_THAT(g[b0], is_close_to(numeric_gradient(f, b0.value), fd_tolerance));
  CHECK_THAT(g[w1], is_close_to(numeric_gradient(f, w1.value), fd_tolerance));
  // The output bias cancels between fake and real, and the penalty does not
  // see it: its gradient is exactly zero.
  CHECK(g[b1](0, 0) == 0.0);
}

TEST_CASE("MAML: the outer gradient through an inner step", "[maml]") {
  // theta' = theta - a grad L_support(theta); the query loss at theta',
  // differentiated with respect to theta (second order), against central
  // differences; the first-order variant stops the inner gradient.
  using net_t = tl::model<struct net, double, tl::Dense<2, 4, tl::Tanh>, tl::Dense<4, 1>>;
  net_t m;
  fill_parameters(m, 5.0);
  const tl::input<struct xq_tag, double, 2> xq;
  const tl::input<struct tq_tag, double, 1> tq;
  const matrix<double> XQ = pattern(5, 2, 6.0), TQ = pattern(5, 1, 7.0);
  const auto& [w0, b0] = m.layer<0>().parameters();
  const auto& [w1, b1] = m.layer<1>().parameters();
  const auto g = tl::grad(tl::mse(m(x), t), m);
  constexpr double a = 0.4;
  const auto adapted =
      net_t::with_weights(w0 - a * g[w0], b0 - a * g[b0], w1 - a * g[w1], b1 - a * g[b1]);
  const auto outer = tl::mse(adapted(xq), tq);
  auto step = tl::gradient(outer, m);
  auto value = tl::evaluate(outer);
  auto run = [&](auto& program) -> decltype(auto) {
    return program(tl::feed(x, X), tl::feed(t, T), tl::feed(xq, XQ), tl::feed(tq, TQ));
  };
  const auto& second = run(step);
  check_parameters_against_fd(second, m, [&] { return run(value).loss(); });

  const auto first_order = tl::mse(
      net_t::with_weights(w0 - a * tl::stop_gradient(g[w0]), b0 - a * tl::stop_gradient(g[b0]),
                          w1 - a * tl::stop_gradient(g[w1]), b1 - a * tl::stop_gradient(g[b1]))(xq),
      tq);
  auto fo = tl::gradient(first_order, m);
  const auto& approx = run(fo);
  // The first-order gradient is the query gradient at theta', which differs
  // from the second-order one by the curvature term.
  CHECK(run(value).loss() == Approx(approx.loss()).epsilon(1e-14));
  CHECK((approx[w0] - second[w0]).norm() > 1e-6);
}
