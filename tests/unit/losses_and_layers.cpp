// Gradients and values of the losses (softmax cross-entropy, mse) and of a
// Dense layer with each activation, with respect to its weight, its bias
// and its input.

#include <cmath>

#include "op_check.hpp"

namespace tl = tapeless;
using namespace tapeless_test;

namespace {

const matrix<double> A = pattern(4, 3, 5.0);
const matrix<double> B = pattern(4, 3, 6.0);

// Softmax cross-entropy written out naively (fine for small logits):
// mean over rows of -sum_j t_j ln softmax(z)_j.
matrix<double> naive_cross_entropy(const matrix<double>& z, const matrix<double>& t) {
  double total = 0;
  for (Eigen::Index r = 0; r < z.rows(); ++r) {
    const Eigen::ArrayXd e = z.row(r).array().exp().transpose();
    const Eigen::ArrayXd log_p = (e / e.sum()).log();
    total -= (t.row(r).transpose().array() * log_p).sum();
  }
  return matrix<double>::Constant(1, 1, total / double(z.rows()));
}

}  // namespace

TEST_CASE("softmax_cross_entropy: value and gradient w.r.t. logits and targets", "[losses]") {
  // Targets need not be one-hot: any non-negative rows; the rule for
  // d/dtargets holds for all of them, and the row sums differ from 1 here,
  // which exercises the sum_j t_rj factor in d/dlogits.
  const matrix<double> targets = B.array().abs();
  check_op([](auto z, auto t) { return tl::softmax_cross_entropy(z, t); }, naive_cross_entropy,
           3.0 * A, targets);
}

TEST_CASE("mse: value and gradient w.r.t. both arguments", "[losses]") {
  const auto naive_mse = [](const matrix<double>& y, const matrix<double>& t) -> matrix<double> {
    return matrix<double>::Constant(1, 1, (y - t).array().square().mean());
  };
  check_op([](auto y, auto t) { return tl::mse(y, t); }, naive_mse, A, B);
  // The fused node and the composition it replaces agree.
  check_op([](auto y, auto t) { return tl::mean(tl::square(y - t)); }, naive_mse, A, B);
}

namespace {

struct layer_tag;
struct x_tag;
struct w_tag;

// A Dense<3, 2, Activation> layer applied to a variable, checked for its
// weight, bias and input; `f` is the activation written with Eigen arrays.
template <class Activation, class F>
void check_dense(F f) {
  tl::model<layer_tag, double, tl::Dense<3, 2, Activation>> m;
  fill_parameters(m, 20.0);
  const tl::variable<x_tag, double, 3> x;
  const tl::input<w_tag, double, 2> w;  // upstream weights, as in op_check.hpp
  const auto loss = tl::sum(w * m(x));

  matrix<double> X = 2.0 * pattern(5, 3, 4.0);
  const matrix<double> W = pattern(5, 2, 12.0);

  // Pre-activations away from 0, so the finite-difference step (which moves
  // them by about 1e-5) never crosses relu's kink.
  const auto& layer = m.template layer<0>();
  const matrix<double> z = (X * layer.weight.value).rowwise() + layer.bias.value.row(0);
  REQUIRE(z.cwiseAbs().minCoeff() > 1e-2);
  const matrix<double> y = f(z.array());

  auto step = tl::gradient(loss, m, x);
  auto value = tl::evaluate(loss);
  const auto& g = step(tl::feed(x, X), tl::feed(w, W));
  CHECK(g.loss() == Approx((W.array() * y.array()).sum()).epsilon(1e-12));

  auto run = [&] { return value(tl::feed(x, X), tl::feed(w, W)).loss(); };
  check_parameters_against_fd(g, m, run);
  CHECK_THAT(g[x], is_close_to(numeric_gradient(run, X), fd_tolerance));
}

}  // namespace

TEST_CASE("Dense layer with Identity: value and gradients", "[layers][activations]") {
  check_dense<tl::Identity>([](const auto& z) { return z; });
}

TEST_CASE("Dense layer with ReLU: value and gradients", "[layers][activations]") {
  check_dense<tl::ReLU>([](const auto& z) { return z.max(0.0); });
}

TEST_CASE("Dense layer with Tanh: value and gradients", "[layers][activations]") {
  check_dense<tl::Tanh>([](const auto& z) { return z.tanh(); });
}

TEST_CASE("Dense layer with Sigmoid: value and gradients", "[layers][activations]") {
  check_dense<tl::Sigmoid>([](const auto& z) { return (1.0 + (-z).exp()).inverse(); });
}
