// Dropout: the mask against the seeded engine's draws replayed by hand,
// inverted scaling, the gradient masked by the forward's mask, evaluation
// as the identity, determinism given the seed, one mask for a dropped
// expression used twice, and the gradient of a model through dropout
// against finite differences (with the engine reset before each run, so
// every run draws the same mask) in double, and float against double.

#include <tapeless/tapeless.hpp>

#include "support.hpp"

namespace tl = tapeless;
using namespace tapeless_test;

namespace {

const tl::variable<struct v_tag, double, 4> v;
const tl::input<struct w_tag, double, 4> w;
const matrix<double> X = pattern(6, 4, 1.0);
const matrix<double> W = pattern(6, 4, 2.0);

// The multipliers the engine gives for a rows x cols operand: drawn column
// by column, 0 where the draw is below p, 1 / (1 - p) elsewhere.
matrix<double> replayed_mask(tl::random_engine& rng, Eigen::Index rows, Eigen::Index cols,
                             double p) {
  matrix<double> m(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index i = 0; i < rows; ++i) m(i, j) = rng.uniform() < p ? 0.0 : 1.0 / (1.0 - p);
  return m;
}
matrix<double> replayed_mask(std::uint64_t seed, Eigen::Index rows, Eigen::Index cols, double p) {
  tl::random_engine rng(seed);
  return replayed_mask(rng, rows, cols, p);
}

}  // namespace

TEST_CASE("dropout: the forward's mask scales the value and the gradient", "[dropout]") {
  tl::random_engine rng(42);
  tl::dropout_control control(rng);
  auto step = tl::gradient(tl::sum(w * tl::dropout<std::ratio<1, 3>>(v, control)), v);
  const auto& g = step(tl::feed(v, X), tl::feed(w, W));
  const matrix<double> m = replayed_mask(42, 6, 4, 1.0 / 3);
  // Some dropped, some kept, scaled by 1 / (1 - 1/3).
  REQUIRE((m.array() == 0).any());
  const double kept = 1.0 / (1.0 - 1.0 / 3);
  REQUIRE(kept == Approx(1.5));
  REQUIRE((m.array() == kept).any());
  CHECK(g.loss() == Approx((W.array() * X.array() * m.array()).sum()).epsilon(1e-14));
  CHECK(g[v] == matrix<double>(W.array() * m.array()));

  auto value = tl::evaluate(tl::dropout<std::ratio<1, 3>>(v, control));
  rng = tl::random_engine(42);
  CHECK(value(tl::feed(v, X)).value() == matrix<double>(X.array() * m.array()));
}

TEST_CASE("dropout: each run draws a new mask; the seed fixes them all", "[dropout]") {
  auto masks = [](std::uint64_t seed) {
    tl::random_engine rng(seed);
    tl::dropout_control control(rng);
    auto step = tl::gradient(tl::sum(tl::dropout(v, control)), v);
    std::vector<matrix<double>> out;
    for (int i = 0; i < 3; ++i) out.push_back(step(tl::feed(v, X))[v]);
    return out;
  };
  const auto a = masks(7), b = masks(7), c = masks(8);
  CHECK(a == b);
  CHECK(a[0] != c[0]);
  CHECK(a[0] != a[1]);
  CHECK(a[1] != a[2]);
  // The runs continue the engine's sequence.
  tl::random_engine replay(7);
  for (const auto& m : a) {
    matrix<double> expected(6, 4);
    for (Eigen::Index j = 0; j < 4; ++j)
      for (Eigen::Index i = 0; i < 6; ++i) expected(i, j) = replay.uniform() < 0.5 ? 0.0 : 2.0;
    CHECK(m == expected);
  }
}

TEST_CASE("dropout: about p of a large operand is dropped, the mean kept", "[dropout]") {
  tl::random_engine rng(3);
  tl::dropout_control control(rng);
  const tl::input<struct big_tag, double, 50> x;
  const matrix<double> ones = matrix<double>::Ones(400, 50);
  auto value = tl::evaluate(tl::dropout<std::ratio<1, 5>>(x, control));
  const matrix<double> y = value(tl::feed(x, ones)).value();
  const double dropped = (y.array() == 0).cast<double>().mean();
  // 20,000 draws: the standard deviation of the fraction is 0.0028.
  CHECK(dropped == Approx(0.2).margin(0.015));
  CHECK(((y.array() == 0) || (y.array() == 1.25)).all());
  CHECK(y.mean() == Approx(1.0).margin(0.02));
}

TEST_CASE("dropout: evaluation mode is the identity and draws nothing", "[dropout]") {
  tl::random_engine rng(42);
  tl::dropout_control control(rng);
  control.eval();
  CHECK(!control.training());
  auto step = tl::gradient(tl::sum(w * tl::dropout(v, control)), v);
  const auto& g = step(tl::feed(v, X), tl::feed(w, W));
  CHECK(g.loss() == Approx((W.array() * X.array()).sum()).epsilon(1e-14));
  CHECK(g[v] == W);
  CHECK(rng.uniform() == tl::random_engine(42).uniform());
  // Back to training: masks again, from where the engine is.
  control.train();
  CHECK(step(tl::feed(v, X), tl::feed(w, W))[v] != W);
}

TEST_CASE("dropout: a dropped expression used twice is one mask", "[dropout]") {
  tl::random_engine rng(5);
  tl::dropout_control control(rng);
  const auto h = tl::dropout(v, control);
  const tl::input<struct w2_tag, double, 4> w2;
  const matrix<double> W2 = pattern(6, 4, 3.0);
  auto step = tl::gradient(tl::sum(w * h) + tl::sum(w2 * tl::square(h)), v);
  const auto& g = step(tl::feed(v, X), tl::feed(w, W), tl::feed(w2, W2));
  const matrix<double> m = replayed_mask(5, 6, 4, 0.5);
  const matrix<double> H = X.array() * m.array();
  CHECK(g.loss() ==
        Approx((W.array() * H.array() + W2.array() * H.array().square()).sum()).epsilon(1e-14));
  CHECK_THAT(
      matrix<double>(g[v]),
      is_close_to(matrix<double>((W.array() + 2 * W2.array() * H.array()) * m.array()), 1e-14));

  // Another tag: another node, another mask, drawn after the first (the
  // nodes run in the order they appear, left operand first).
  auto two = tl::evaluate(tl::dropout(v, control) -
                          tl::dropout<std::ratio<1, 2>, struct other>(v, control));
  rng = tl::random_engine(5);
  const matrix<double> d = two(tl::feed(v, X)).value();
  tl::random_engine replay(5);
  const matrix<double> m1 = replayed_mask(replay, 6, 4, 0.5);
  const matrix<double> m2 = replayed_mask(replay, 6, 4, 0.5);
  REQUIRE(m1 != m2);
  CHECK(d == matrix<double>(X.array() * m1.array() - X.array() * m2.array()));
}

TEST_CASE("dropout: a model's gradient through it against finite differences", "[dropout]") {
  tl::model<struct enc_tag, double, tl::Dense<4, 5, tl::Tanh>> enc;
  tl::model<struct head_tag, double, tl::Dense<5, 2>> head;
  fill_parameters(enc, 1.0);
  fill_parameters(head, 2.0);
  const tl::input<struct x_tag, double, 4> x;
  const tl::input<struct t_tag, double, 2> t;
  const matrix<double> T = pattern(6, 2, 4.0);
  tl::random_engine rng(11);
  tl::dropout_control control(rng);
  const auto loss = tl::mse(head(tl::dropout<std::ratio<2, 5>>(enc(x), control)), t);
  auto step = tl::gradient(loss, enc, head);
  auto value = tl::evaluate(loss);
  // Every run with the engine reset draws the same mask: a fixed function.
  rng = tl::random_engine(11);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  auto f = [&] {
    rng = tl::random_engine(11);
    return value(tl::feed(x, X), tl::feed(t, T)).loss();
  };
  check_parameters_against_fd(g, enc, f);
  check_parameters_against_fd(g, head, f);
  // Dropped features reach no weight of the head in that example: with the
  // mask replayed, the head's weight gradient is the masked features' one.
  const matrix<double> m = replayed_mask(11, 6, 5, 0.4);
  const matrix<double> h =
      ((X * enc.layer<0>().weight.value).rowwise() + enc.layer<0>().bias.value.row(0))
          .array()
          .tanh();
  const matrix<double> hd = h.array() * m.array();
  const matrix<double> y =
      (hd * head.layer<0>().weight.value).rowwise() + head.layer<0>().bias.value.row(0);
  const matrix<double> dy = 2.0 / double(y.size()) * (y - T);
  CHECK_THAT(matrix<double>(g[head.layer<0>().weight]),
             is_close_to(matrix<double>(hd.transpose() * dy), 1e-12));
}

TEST_CASE("dropout in float gives the double result, with the same masks", "[dropout][float]") {
  // The draws are compared with p in double: one seed, one mask, in both.
  const tl::variable<struct f_tag, float, 4> vf;
  tl::random_engine rf(9), rd(9);
  tl::dropout_control cf(rf), cd(rd);
  auto sf = tl::gradient(tl::sum(tl::square(tl::dropout<std::ratio<1, 4>>(vf, cf))), vf);
  auto sd = tl::gradient(tl::sum(tl::square(tl::dropout<std::ratio<1, 4>>(v, cd))), v);
  const matrix<float> Xf = X.cast<float>();
  for (int i = 0; i < 3; ++i) {
    const auto& gf = sf(tl::feed(vf, Xf));
    const auto& gd = sd(tl::feed(v, X));
    CHECK(gf.loss() == Approx(gd.loss()).epsilon(1e-6));
    CHECK_THAT(matrix<float>(gf[vf]), is_close_to(matrix<float>(gd[v].cast<float>()), 1e-6));
    CHECK(((gf[vf].array() == 0) == (gd[v].array() == 0)).all());
  }
}
