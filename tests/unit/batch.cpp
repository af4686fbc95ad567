// Batch sizes: one program run with changing run-time batch sizes, inputs
// with a fixed batch, and softmax cross-entropy on large logits, all against
// backprop written out by hand.

#include <cmath>

#include <tapeless/tapeless.hpp>

#include "support.hpp"

namespace tl = tapeless;
using namespace tapeless_test;

namespace {

using model_t = tl::model<struct m_tag, double, tl::Dense<3, 2, tl::Tanh>>;

// L = mean((y - t)^2), y = tanh(v W + 1 b), by hand, n the elements of y:
//   dy = 2 (y - t) / n,  dz = dy * (1 - y^2),
//   dW = v^T dz,  db = 1^T dz,  dv = dz W^T.
struct by_hand {
  double loss;
  matrix<double> dW, db, dv;
  by_hand(const model_t& m, const matrix<double>& V, const matrix<double>& T) {
    const auto& W = m.layer<0>().weight.value;
    const matrix<double> y = ((V * W).rowwise() + m.layer<0>().bias.value.row(0)).array().tanh();
    const double n = double(y.size());
    loss = (y - T).array().square().sum() / n;
    const matrix<double> dz = (2.0 * (y - T) / n).array() * (1.0 - y.array().square());
    dW = V.transpose() * dz;
    db = dz.colwise().sum();
    dv = dz * W.transpose();
  }
};

constexpr double exact = 1e-12;

}  // namespace

TEST_CASE("dynamic batch: one program, batches of 5, then 2, then 5", "[batch]") {
  model_t m;
  fill_parameters(m, 1.0);
  const tl::variable<struct v_tag, double, 3> v;
  const tl::input<struct t_tag, double, 2> t;
  auto step = tl::gradient(tl::mse(m(v), t), m, v);

  double seed = 2.0;
  for (Eigen::Index batch : {5, 2, 5}) {
    INFO("batch " << batch);
    const matrix<double> V = pattern(batch, 3, seed);
    const matrix<double> T = pattern(batch, 2, seed + 0.5);
    seed += 1.0;
    const auto& g = step(tl::feed(v, V), tl::feed(t, T));
    const by_hand ref(m, V, T);
    CHECK(g.loss() == Approx(ref.loss).epsilon(exact));
    CHECK_THAT(g[m.layer<0>().weight], is_close_to(ref.dW, exact));
    CHECK_THAT(g[m.layer<0>().bias], is_close_to(ref.db, exact));
    // The variable's gradient has the batch of this run.
    CHECK(g[v].rows() == batch);
    CHECK_THAT(g[v], is_close_to(ref.dv, exact));
  }
}

TEST_CASE("fixed batch: inputs with a batch size in their type", "[batch]") {
  model_t m;
  fill_parameters(m, 3.0);
  const tl::input<struct fixed_x, double, 3, 4> x;
  const tl::input<struct dyn_t, double, 2> t;  // a run-time batch, combined with a fixed one
  const auto loss = tl::mse(m(x), t);
  STATIC_REQUIRE(decltype(m(x))::rows == 4);
  auto step = tl::gradient(loss, m);

  // Fixed-size Eigen data, read in place.
  Eigen::Matrix<double, 4, 3> X = pattern(4, 3, 4.0);
  const matrix<double> T = pattern(4, 2, 5.0);
  for (int run = 0; run < 2; ++run) {
    const auto& g = step(tl::feed(x, X), tl::feed(t, T));
    const by_hand ref(m, X, T);
    CHECK(g.loss() == Approx(ref.loss).epsilon(exact));
    CHECK_THAT(g[m.layer<0>().weight], is_close_to(ref.dW, exact));
    CHECK_THAT(g[m.layer<0>().bias], is_close_to(ref.db, exact));
    X *= -0.5;  // the next run sees new data through the same feed
  }
}

TEST_CASE("an evaluate program of an input alone gives the fed data", "[batch]") {
  // value() returned a reference to a view made inside it (the root reads
  // its data in place), dangling (clang: -Wreturn-stack-address).
  const tl::input<struct data_x, double, 3> x;
  auto identity = tl::evaluate(x);
  const matrix<double> X = pattern(5, 3, 6.0);
  const matrix<double> out = identity(tl::feed(x, X)).value();
  CHECK(out == X);
}

namespace {

// Cross-entropy of softmax(z) against t, and its gradient (softmax - t)/N
// for one-hot rows, written naively: correct only for small logits.
double naive_loss(const matrix<double>& z, const matrix<double>& t) {
  const matrix<double> e = z.array().exp();
  const Eigen::VectorXd norm = e.rowwise().sum();
  double total = 0;
  for (Eigen::Index r = 0; r < z.rows(); ++r)
    total -= (t.row(r).array() * (e.row(r).array() / norm(r)).log()).sum();
  return total / double(z.rows());
}
matrix<double> naive_gradient(const matrix<double>& z, const matrix<double>& t) {
  const matrix<double> e = z.array().exp();
  const Eigen::VectorXd norm = e.rowwise().sum();
  return (e.array().colwise() / norm.array() - t.array()) / double(z.rows());
}

}  // namespace

TEST_CASE("softmax_cross_entropy: large logits stay finite and correct", "[batch][losses]") {
  const tl::variable<struct z_tag, double, 4> z;
  const tl::input<struct onehot_tag, double, 4> t;
  auto step = tl::gradient(tl::softmax_cross_entropy(z, t), z);

  const matrix<double> small = 2.0 * pattern(3, 4, 6.0);
  matrix<double> T = matrix<double>::Zero(3, 4);
  T(0, 1) = T(1, 3) = T(2, 0) = 1;
  const double loss = naive_loss(small, T);
  const matrix<double> grad = naive_gradient(small, T);
  REQUIRE(std::isfinite(loss));

  // Softmax is unchanged by a shift of each row, so the loss and the
  // gradient at z + 1000 and z - 1000 are those at z, where the naive
  // formula is exact. Naively, e^1000 overflows to inf.
  REQUIRE(std::isinf(std::exp(1000.0)));
  for (double shift : {0.0, 1000.0, -1000.0}) {
    INFO("shift " << shift);
    const matrix<double> Z = small.array() + shift;
    const auto& g = step(tl::feed(z, Z), tl::feed(t, T));
    CHECK(std::isfinite(g.loss()));
    CHECK(g[z].allFinite());
    CHECK(g.loss() == Approx(loss).epsilon(1e-9));
    CHECK_THAT(g[z], is_close_to(grad, 1e-9));
  }
}
