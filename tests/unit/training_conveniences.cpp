// Training conveniences: learning-rate schedules against their closed
// forms, clipping by global norm on gradients known exactly, snapshots,
// early stopping and rollback restoring values bit for bit, and none of them
// allocating per step.
//
// Allocations are counted as in allocation.cpp (counting_eigen.hpp). Every
// size here is fixed and small, so no GEMM is compiled: the file stays
// cheap to build header-only.

#include "counting_eigen.hpp"

#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <tapeless/tapeless.hpp>

#include "support.hpp"

namespace tl = tapeless;
using counting::allocations_during;
using namespace tapeless_test;

namespace {

constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();
constexpr double infinity = std::numeric_limits<double>::infinity();

// Where a result computed only to count its allocations is stored, so that
// the call is not optimised away.
volatile double kept_rate = 0;

// A two-model network on a fixed batch of 5 (so every product is tiny).
using a_type = tl::model<struct a_tag, double, tl::Dense<3, 4, tl::Tanh>>;
using b_type = tl::model<struct b_tag, double, tl::Dense<4, 2>>;
const tl::input<struct x_tag, double, 3, 5> x;
const tl::input<struct t_tag, double, 2, 5> t;
using batch_x = Eigen::Matrix<double, 5, 3>;
using batch_t = Eigen::Matrix<double, 5, 2>;

// Batches 0 .. 23, kept: tl::feed reads its data in place.
const std::vector<batch_x> xs = [] {
  std::vector<batch_x> v;
  for (int i = 0; i < 24; ++i) v.push_back(pattern(5, 3, 1.0 + i));
  return v;
}();
const std::vector<batch_t> ts = [] {
  std::vector<batch_t> v;
  for (int i = 0; i < 24; ++i) v.push_back(pattern(5, 2, 40.0 + i));
  return v;
}();
const batch_x& data_x(int i) { return xs[std::size_t(i)]; }
const batch_t& data_t(int i) { return ts[std::size_t(i)]; }

// Every tensor of the objects (models, optimizers), flattened, bit for bit.
template <class... Objs>
std::vector<double> values_of(const Objs&... objs) {
  std::vector<double> v;
  const auto add = [&](const auto&, const auto& m) {
    for (Eigen::Index j = 0; j < m.cols(); ++j)
      for (Eigen::Index i = 0; i < m.rows(); ++i) v.push_back(static_cast<double>(m(i, j)));
  };
  (objs.for_each_tensor(add), ...);
  return v;
}

template <class F>
void refused(F&& f, const std::string& message) {
  INFO(message);
  CHECK_THROWS_AS(f(), tl::optimizer_setting_error);
  CHECK_THROWS_WITH(f(), message);
}

}  // namespace

// ---- Schedules -----------------------------------------------------------------

TEST_CASE("step_lr: learning_rate * gamma^floor(t / step_size)", "[schedule]") {
  const tl::step_lr halve{.learning_rate = 0.1, .step_size = 3, .gamma = 0.5};
  // Powers of 1/2 are exact: the values are the closed form's, bit for bit.
  CHECK(halve(0) == 0.1);
  CHECK(halve(2) == 0.1);
  CHECK(halve(3) == 0.05);
  CHECK(halve(5) == 0.05);
  CHECK(halve(6) == 0.025);
  CHECK(halve(9) == 0.0125);
  CHECK(halve(3000) == 0.1 * std::pow(0.5, 1000));
  const tl::step_lr tenth{.learning_rate = 1.0, .step_size = 30, .gamma = 0.1};
  CHECK(tenth(29) == 1.0);
  CHECK(tenth(30) == Approx(0.1).epsilon(1e-15));
  CHECK(tenth(95) == Approx(0.001).epsilon(1e-15));
  CHECK(tl::step_lr{.learning_rate = 0.2, .gamma = 1}(1000) == 0.2);  // gamma 1: constant

  // Applied through the rule: an SGD step with the scheduled rate.
  a_type a;
  b_type b;
  fill_parameters(a, 1.0);
  fill_parameters(b, 2.0);
  auto step = tl::gradient(tl::mse(b(a(x)), t), a);
  auto sgd = tl::make_optimizer(tl::sgd{}, a);
  const tl::step_lr schedule{.learning_rate = 0.5, .step_size = 2, .gamma = 0.5};
  for (int s = 0; s < 5; ++s) {
    const auto& g = step(tl::feed(x, data_x(0)), tl::feed(t, data_t(0)));
    const double lr = 0.5 * std::pow(0.5, s / 2);
    const matrix<double> expected = a.layer<0>().weight.value - lr * g[a.layer<0>().weight].eval();
    sgd.rule().learning_rate = schedule(sgd.steps());
    CHECK(sgd.rule().learning_rate == lr);
    sgd.step(g);
    CHECK(matrix<double>(a.layer<0>().weight.value) == expected);
  }
  CHECK(allocations_during([&] { sgd.rule().learning_rate = schedule(sgd.steps()); }) == 0);

  refused([] { return tl::step_lr{.step_size = 0}(0); },
          "tapeless: step_lr: step_size must be 1 or more; it is 0");
  refused([] { return tl::step_lr{.gamma = 1.5}(0); },
          "tapeless: step_lr: gamma must be in (0, 1]; it is 1.5");
  refused([] { return tl::step_lr{.gamma = 0}(0); },
          "tapeless: step_lr: gamma must be in (0, 1]; it is 0");
  refused([] { return tl::step_lr{.learning_rate = not_a_number}(0); },
          "tapeless: step_lr: learning_rate must be in [0, 100]; it is nan");
  refused([] { return tl::step_lr{}(-1); }, "tapeless: step_lr: t must be 0 or more; it is -1");
}

TEST_CASE("cosine_lr: linear warm-up, then cosine down to the minimum", "[schedule]") {
  const double lr = 0.4, low = 0.04;
  const tl::cosine_lr cosine{
      .learning_rate = lr, .min_learning_rate = low, .warmup_steps = 4, .total_steps = 12};
  const auto closed_form = [&](std::int64_t s) {
    return low + (lr - low) * 0.5 * (1 + std::cos(std::numbers::pi * double(s - 4) / 8.0));
  };
  // Warm-up: lr (t + 1) / W.
  CHECK(cosine(0) == 0.4 / 4);
  CHECK(cosine(1) == 0.4 * 2 / 4);
  CHECK(cosine(3) == lr);
  // Cosine: from the peak at t = W ...
  CHECK(cosine(4) == Approx(lr).epsilon(1e-15));
  CHECK(cosine(6) == Approx(low + (lr - low) * (1 + std::sqrt(0.5)) / 2).epsilon(1e-15));
  CHECK(cosine(8) == Approx((lr + low) / 2).epsilon(1e-15));  // half way
  for (std::int64_t s = 4; s < 12; ++s) {
    INFO("t = " << s);
    CHECK(cosine(s) == Approx(closed_form(s)).epsilon(1e-15));
    if (s > 4) CHECK(cosine(s) < cosine(s - 1));
  }
  CHECK(cosine(11) > low);
  // ... to the minimum, and there after the end.
  CHECK(cosine(12) == low);
  CHECK(cosine(1000) == low);
  // No warm-up: the peak at t = 0, exactly (cos 0 = 1, minimum 0).
  const tl::cosine_lr plain{.learning_rate = 0.1, .total_steps = 100};
  CHECK(plain(0) == 0.1);
  CHECK(plain(50) == Approx(0.05).epsilon(1e-15));
  CHECK(plain(100) == 0);

  CHECK(allocations_during([&] { kept_rate = plain(7); }) == 0);

  refused([] { return tl::cosine_lr{}(0); },
          "tapeless: cosine_lr: total_steps must be more than warmup_steps; it is 0");
  refused([] { return tl::cosine_lr{.warmup_steps = 10, .total_steps = 10}(0); },
          "tapeless: cosine_lr: total_steps must be more than warmup_steps; it is 10");
  refused([] { return tl::cosine_lr{.learning_rate = 0.1, .min_learning_rate = 0.2}(0); },
          "tapeless: cosine_lr: min_learning_rate must be in [0, learning_rate]; it is 0.2");
  refused([] { return tl::cosine_lr{.warmup_steps = -1}(0); },
          "tapeless: cosine_lr: warmup_steps must be 0 or more; it is -1");
  refused([] { return tl::cosine_lr{.learning_rate = 1e3}(0); },
          "tapeless: cosine_lr: learning_rate must be in [0, 100]; it is 1000");
}

TEST_CASE("reduce_lr_on_plateau: patience, threshold, cooldown, minimum", "[schedule]") {
  tl::reduce_lr_on_plateau plateau({.learning_rate = 0.1,
                                    .factor = 0.5,
                                    .patience = 2,
                                    .threshold = 0.1,
                                    .cooldown = 1,
                                    .min_learning_rate = 0.03});
  CHECK(std::isnan(plateau.best()));
  // metric, the rate after it: improvements need 10% below the best.
  const std::vector<std::pair<double, double>> script = {
      {1.0, 0.1},            // the first best
      {0.95, 0.1},           // not 10% better: 1 bad
      {0.91, 0.1},           // 2 bad
      {0.92, 0.05},          // 3 bad > patience: halved, cooldown 1
      {0.93, 0.05},          // in cooldown: not counted
      {0.80, 0.05},          // a new best
      {not_a_number, 0.05},  // 1 bad: NaN never improves
      {0.79, 0.05},          // 2 bad (needs < 0.72)
      {0.75, 0.03},          // 3 bad: 0.025, held at the minimum 0.03
      {0.70, 0.03},          // a new best
  };
  for (std::size_t i = 0; i < script.size(); ++i) {
    INFO("observation " << i << ": " << script[i].first);
    CHECK(plateau.observe(script[i].first) == script[i].second);
    CHECK(plateau.learning_rate() == script[i].second);
  }
  CHECK(plateau.best() == 0.70);
  CHECK(plateau.reductions() == 2);
  CHECK(allocations_during([&] { plateau.observe(0.71); }) == 0);

  // Relative to |best|: for a negative loss, a worse value is no improvement
  // (PyTorch's best * (1 - threshold) would count -0.95 after -1 as one).
  tl::reduce_lr_on_plateau negative({.learning_rate = 1, .patience = 0, .threshold = 0.1});
  CHECK(negative.observe(-1.0) == 1);
  CHECK(negative.observe(-0.95) == Approx(0.1).epsilon(1e-15));
  CHECK(negative.observe(-1.2) == Approx(0.1).epsilon(1e-15));  // better by more than 0.1
  CHECK(negative.best() == -1.2);

  // An accuracy: larger is better.
  tl::reduce_lr_on_plateau accuracy(
      {.learning_rate = 0.2, .patience = 1, .threshold = 0, .mode = tl::monitor_mode::max});
  CHECK(accuracy.observe(0.5) == 0.2);
  CHECK(accuracy.observe(0.6) == 0.2);
  CHECK(accuracy.observe(0.6) == 0.2);  // not better: 1 bad
  CHECK(accuracy.observe(0.55) == Approx(0.02).epsilon(1e-15));

  refused([] { return tl::reduce_lr_on_plateau({.factor = 1}); },
          "tapeless: reduce_lr_on_plateau: factor must be in (0, 1); it is 1");
  refused([] { return tl::reduce_lr_on_plateau({.patience = -1}); },
          "tapeless: reduce_lr_on_plateau: patience must be 0 or more; it is -1");
  refused([] { return tl::reduce_lr_on_plateau({.threshold = not_a_number}); },
          "tapeless: reduce_lr_on_plateau: threshold must be 0 or more, and finite; it is nan");
  refused(
      [] { return tl::reduce_lr_on_plateau({.learning_rate = 0.01, .min_learning_rate = 0.1}); },
      "tapeless: reduce_lr_on_plateau: min_learning_rate must be in [0, learning_rate]; it "
      "is 0.1");
}

// ---- Clipping --------------------------------------------------------------------

namespace {

// A loss whose gradients are fed: sum(W * C) has gradient C with respect to
// W, exactly. Two models, all four parameters.
const tl::input<struct ca_w_tag, double, 4, 3> ca_w;
const tl::input<struct ca_b_tag, double, 4, 1> ca_b;
const tl::input<struct cb_w_tag, double, 2, 4> cb_w;
const tl::input<struct cb_b_tag, double, 2, 1> cb_b;

auto fed_gradient_loss(const a_type& a, const b_type& b) {
  return tl::sum(a.layer<0>().weight * ca_w) + tl::sum(a.layer<0>().bias * ca_b) +
         tl::sum(b.layer<0>().weight * cb_w) + tl::sum(b.layer<0>().bias * cb_b);
}

// Integers: their squares and sums are exact in double, in any order.
matrix<double> integers(Eigen::Index rows, Eigen::Index cols, double seed) {
  return (9 * pattern(rows, cols, seed)).array().round().matrix();
}

}  // namespace

TEST_CASE("clip_grad_norm: the global norm, and every gradient scaled by max_norm / norm",
          "[clip]") {
  a_type a;
  b_type b;
  const matrix<double> gaw = integers(3, 4, 1), gab = integers(1, 4, 2), gbw = integers(4, 2, 3),
                       gbb = integers(1, 2, 4);
  const double squares = gaw.squaredNorm() + gab.squaredNorm() + gbw.squaredNorm() +
                         gbb.squaredNorm();  // exact: integers
  const double norm = std::sqrt(squares);
  REQUIRE(norm > 10);
  auto step = tl::gradient(fed_gradient_loss(a, b), a, b);
  const auto run = [&] {
    step(tl::feed(ca_w, gaw), tl::feed(ca_b, gab), tl::feed(cb_w, gbw), tl::feed(cb_b, gbb));
  };
  const auto& aw = a.layer<0>().weight;
  const auto& ab = a.layer<0>().bias;
  const auto& bw = b.layer<0>().weight;
  const auto& bb = b.layer<0>().bias;

  SECTION("above max_norm: scaled, bit for bit as g * (max_norm / norm)") {
    run();
    REQUIRE(matrix<double>(step[aw]) == gaw);               // the loss gives the fed gradients
    CHECK(tl::clip_grad_norm(step, 2.5, a, b, a) == norm);  // a model given twice counts once
    const double factor = 2.5 / norm;
    CHECK(matrix<double>(step[aw]) == matrix<double>(gaw * factor));
    CHECK(matrix<double>(step[ab]) == matrix<double>(gab * factor));
    CHECK(matrix<double>(step[bw]) == matrix<double>(gbw * factor));
    CHECK(matrix<double>(step[bb]) == matrix<double>(gbb * factor));
    const double after = std::sqrt(step[aw].squaredNorm() + step[ab].squaredNorm() +
                                   step[bw].squaredNorm() + step[bb].squaredNorm());
    CHECK(after == Approx(2.5).epsilon(1e-15));
    // An optimizer steps with the clipped gradients.
    auto sgd = tl::make_optimizer(tl::sgd{.learning_rate = 0.5}, a, b);
    const matrix<double> before = aw.value;
    sgd.step(step);
    CHECK(matrix<double>(aw.value) == matrix<double>(before - 0.5 * (gaw * factor)));
  }
  SECTION("at or below max_norm: untouched") {
    run();
    CHECK(tl::clip_grad_norm(step, norm, a, b) == norm);
    CHECK(matrix<double>(step[aw]) == gaw);
    CHECK(tl::clip_grad_norm(step, 1e6, a, b) == norm);
    CHECK(matrix<double>(step[bb]) == gbb);
  }
  SECTION("one model: its gradients alone, the other's untouched") {
    run();
    const double norm_a = std::sqrt(gaw.squaredNorm() + gab.squaredNorm());
    CHECK(tl::clip_grad_norm(step, 1.0, a) == norm_a);
    CHECK(matrix<double>(step[aw]) == matrix<double>(gaw * (1.0 / norm_a)));
    CHECK(matrix<double>(step[bw]) == gbw);
  }
  SECTION("parameters the program has no gradient for are left out") {
    // The step_lr test's program (one program type less to compile).
    fill_parameters(a, 1.0);
    fill_parameters(b, 2.0);
    auto only_a = tl::gradient(tl::mse(b(a(x)), t), a);
    only_a(tl::feed(x, data_x(0)), tl::feed(t, data_t(0)));
    const matrix<double> w = only_a[aw], bias = only_a[ab];
    const double norm_a = std::sqrt(w.squaredNorm() + bias.squaredNorm());
    REQUIRE(norm_a > 0);
    const double got = tl::clip_grad_norm(only_a, norm_a / 2, a, b);
    CHECK(got == Approx(norm_a).epsilon(1e-15));
    CHECK(matrix<double>(only_a[aw]) == matrix<double>(w * (norm_a / 2 / got)));
  }
  SECTION("NaN or infinity: the norm says so, and nothing is scaled") {
    matrix<double> with_nan = gbw, with_inf = gbw;
    with_nan(1, 1) = not_a_number;
    with_inf(2, 0) = -infinity;
    step(tl::feed(ca_w, gaw), tl::feed(ca_b, gab), tl::feed(cb_w, with_nan), tl::feed(cb_b, gbb));
    CHECK(std::isnan(tl::clip_grad_norm(step, 1.0, a, b)));
    CHECK(matrix<double>(step[aw]) == gaw);
    step(tl::feed(ca_w, gaw), tl::feed(ca_b, gab), tl::feed(cb_w, with_inf), tl::feed(cb_b, gbb));
    CHECK(tl::clip_grad_norm(step, 1.0, a, b) == infinity);
    CHECK(matrix<double>(step[aw]) == gaw);
    CHECK(matrix<double>(step[bb]) == gbb);
  }
  SECTION("finite gradients whose squares overflow: a finite norm, and clipped") {
    const matrix<double> huge = matrix<double>::Constant(3, 4, 1e200);
    const matrix<double> zero_b = matrix<double>::Zero(1, 4);
    step(tl::feed(ca_w, huge), tl::feed(ca_b, zero_b), tl::feed(cb_w, gbw), tl::feed(cb_b, gbb));
    const double got = tl::clip_grad_norm(step, 1.0, a, b);
    CHECK(got == Approx(1e200 * std::sqrt(12.0)).epsilon(1e-14));
    CHECK(step[aw](0, 0) == Approx(1 / std::sqrt(12.0)).epsilon(1e-14));
    CHECK(step[bw].cwiseAbs().maxCoeff() < 1e-190);
  }
  SECTION("float gradients: summed in double, where their squares do not overflow") {
    using f_type = tl::model<struct f_tag, float, tl::Dense<3, 4>>;
    f_type f;
    const tl::input<struct cf_w_tag, float, 4, 3> cf_w;
    const tl::input<struct cf_b_tag, float, 4, 1> cf_b;
    auto f_step =
        tl::gradient(tl::sum(f.layer<0>().weight * cf_w) + tl::sum(f.layer<0>().bias * cf_b), f);
    const Eigen::Matrix<float, 3, 4> big = Eigen::Matrix<float, 3, 4>::Constant(1e30f);
    const Eigen::Matrix<float, 1, 4> zero = Eigen::Matrix<float, 1, 4>::Zero();
    REQUIRE(!std::isfinite(big.squaredNorm()));  // 1e60 in float
    f_step(tl::feed(cf_w, big), tl::feed(cf_b, zero));
    const double expected = std::sqrt(12 * double(1e30f) * double(1e30f));
    CHECK(tl::clip_grad_norm(f_step, 1.0, f) == Approx(expected).epsilon(1e-15));
    CHECK(f_step[f.layer<0>().weight](2, 3) == Approx(1 / std::sqrt(12.0)).epsilon(1e-6));
  }
  SECTION("no allocation") {
    run();
    CHECK(allocations_during([&] { tl::clip_grad_norm(step, 1.0, a, b); }) == 0);
  }
  SECTION("settings and objects are checked before anything changes") {
    run();
    refused([&] { return tl::clip_grad_norm(step, 0.0, a, b); },
            "tapeless: clip_grad_norm: max_norm must be positive and finite; it is 0");
    refused([&] { return tl::clip_grad_norm(step, not_a_number, a, b); },
            "tapeless: clip_grad_norm: max_norm must be positive and finite; it is nan");
    refused([&] { return tl::clip_grad_norm(step, infinity, a, b); },
            "tapeless: clip_grad_norm: max_norm must be positive and finite; it is inf");
    b_type other;
    CHECK_THROWS_AS(tl::clip_grad_norm(step, 1.0, a, other), tl::identity_error);
    CHECK_THROWS_WITH(tl::clip_grad_norm(step, 1.0, a, other),
                      Catch::StartsWith("tapeless: clip_grad_norm: parameter b_tag.layer0.W "
                                        "belongs to another object"));
    CHECK(matrix<double>(step[aw]) == gaw);  // a's were not scaled either
  }
}

// ---- Snapshots -------------------------------------------------------------------

namespace {

// Bit-for-bit equality, NaN included (== would say NaN != NaN).
bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// Tensors that are not plain column-major matrices: a row-major matrix and
// a strided view, for the element-by-element path.
struct odd_layouts {
  Eigen::Matrix<float, 3, 4, Eigen::RowMajor> row_major =
      Eigen::Matrix<float, 3, 4, Eigen::RowMajor>::Zero();
  Eigen::Matrix<double, 4, 6> backing = Eigen::Matrix<double, 4, 6>::Zero();
  template <class F>
  void for_each_tensor(F&& f) {
    f("row_major", row_major);
    // Every other column of `backing`.
    f("strided", Eigen::Map<Eigen::Matrix<double, 4, 3>, 0, Eigen::OuterStride<8>>(backing.data()));
  }
  template <class F>
  void for_each_tensor(F&& f) const {
    f("row_major", row_major);
    f("strided",
      Eigen::Map<const Eigen::Matrix<double, 4, 3>, 0, Eigen::OuterStride<8>>(backing.data()));
  }
};

}  // namespace

TEST_CASE("snapshot: models and optimizer state captured and restored bit for bit", "[snapshot]") {
  a_type a;
  b_type b;
  tl::random_engine rng(3);
  tl::initialize(a, rng);
  tl::initialize(b, rng);
  auto step = tl::gradient(tl::mse(b(a(x)), t), a, b);
  auto adam = tl::make_optimizer(tl::adam{.learning_rate = 0.01}, a, b);
  // Restoring writes into the objects: const ones are not accepted.
  STATIC_REQUIRE(std::is_constructible_v<tl::snapshot, a_type&, decltype(adam)&>);
  STATIC_REQUIRE_FALSE(std::is_constructible_v<tl::snapshot, const a_type&>);
  STATIC_REQUIRE_FALSE(std::is_constructible_v<tl::early_stopping,
                                               const tl::early_stopping::settings&, const a_type&>);
  tl::snapshot snap(a, b, adam);
  // a: 3x4 + 1x4, b: 4x2 + 1x2; adam: m and v of each, and the step count.
  CHECK(snap.tensors() == 4 + 8 + 1);
  CHECK(snap.bytes() == (26 + 2 * 26) * sizeof(double) + sizeof(std::int64_t));
  CHECK_THROWS_WITH(snap.restore(),
                    "tapeless: snapshot: restore before any capture; call capture() first");

  for (int i = 0; i < 3; ++i) adam.step(step(tl::feed(x, data_x(i)), tl::feed(t, data_t(i))));
  const std::vector<double> kept = values_of(a, b, adam);
  CHECK(allocations_during([&] { snap.capture(); }) == 0);
  for (int i = 3; i < 6; ++i) adam.step(step(tl::feed(x, data_x(i)), tl::feed(t, data_t(i))));
  CHECK(!same_bits(values_of(a, b, adam), kept));
  CHECK(allocations_during([&] { snap.restore(); }) == 0);
  CHECK(same_bits(values_of(a, b, adam), kept));
  CHECK(adam.steps() == 3);

  // A copy is a second snapshot of the same objects, with its own values.
  tl::snapshot later = snap;
  for (int i = 6; i < 8; ++i) adam.step(step(tl::feed(x, data_x(i)), tl::feed(t, data_t(i))));
  const std::vector<double> now = values_of(a, b, adam);
  later.capture();
  snap.restore();
  CHECK(same_bits(values_of(a, b, adam), kept));
  later.restore();
  CHECK(same_bits(values_of(a, b, adam), now));

  // Other layouts, element by element.
  odd_layouts odd;
  odd.row_major << 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12;
  odd.backing = pattern(4, 6, 5.0);
  const std::vector<double> odd_kept = values_of(odd);
  const Eigen::Matrix<double, 4, 6> backing_kept = odd.backing;
  tl::snapshot odd_snap(odd);
  CHECK(odd_snap.bytes() == 12 * sizeof(float) + 12 * sizeof(double));
  odd_snap.capture();
  odd.row_major.setConstant(-1);
  odd.backing.setConstant(-1);
  odd_snap.restore();
  CHECK(same_bits(values_of(odd), odd_kept));
  // The columns between the view's were not part of it, and stay as they are.
  CHECK(odd.backing(0, 1) == -1);
  CHECK(odd.backing.col(2) == backing_kept.col(2));
}

// ---- Early stopping --------------------------------------------------------------

TEST_CASE("early_stopping: stops after patience, with the best epoch's values restored",
          "[early_stopping]") {
  a_type a;
  b_type b;
  tl::random_engine rng(4);
  tl::initialize(a, rng);
  tl::initialize(b, rng);
  auto step = tl::gradient(tl::mse(b(a(x)), t), a, b);
  auto adam = tl::make_optimizer(tl::adam{.learning_rate = 0.01}, a, b);
  const auto epoch = [&](int e) {
    for (int i = 0; i < 3; ++i)
      adam.step(step(tl::feed(x, data_x(3 * e + i)), tl::feed(t, data_t(3 * e + i))));
  };

  SECTION("models and optimizer") {
    tl::early_stopping stopper({.patience = 3, .min_delta = 0.05}, a, b, adam);
    // Scripted validation metrics, so that the best epoch is known: 2 (3.0);
    // 2.96 is better, but not by more than min_delta.
    const std::vector<double> metrics = {5.0, 4.0, 3.0, 3.5, 2.96, 3.1, 1.0};
    std::vector<std::vector<double>> values;
    int stopped_at = -1;
    for (int e = 0; e < int(metrics.size()); ++e) {
      epoch(e);
      values.push_back(values_of(a, b, adam));
      std::size_t allocations = 0;
      bool stop = false;
      allocations = allocations_during([&] { stop = stopper.observe(metrics[std::size_t(e)]); });
      CHECK(allocations == 0);
      if (stop) {
        stopped_at = e;
        break;
      }
    }
    CHECK(stopped_at == 5);
    CHECK(stopper.stopped());
    CHECK(stopper.epochs_without_improvement() == 3);
    CHECK(stopper.best() == 3.0);
    CHECK(stopper.best_epoch() == 2);
    CHECK(stopper.epochs() == 6);
    CHECK(same_bits(values_of(a, b, adam), values[2]));
    CHECK(adam.steps() == 9);
    // Once stopped, it stays stopped and restores nothing more.
    epoch(6);
    const std::vector<double> trained_on = values_of(a, b, adam);
    CHECK(stopper.observe(0.5));
    CHECK(same_bits(values_of(a, b, adam), trained_on));
    CHECK(stopper.best_epoch() == 2);
  }
  SECTION("larger is better; NaN never improves; restore_best = false restores nothing") {
    tl::early_stopping stopper(
        {.patience = 2, .mode = tl::monitor_mode::max, .restore_best = false}, a, b);
    epoch(0);
    CHECK_FALSE(stopper.observe(0.5));
    epoch(1);
    const std::vector<double> best = values_of(a, b);
    CHECK_FALSE(stopper.observe(0.7));
    epoch(2);
    CHECK_FALSE(stopper.observe(not_a_number));
    epoch(3);
    const std::vector<double> last = values_of(a, b);
    CHECK(stopper.observe(0.69));
    CHECK(stopper.best_epoch() == 1);
    CHECK(same_bits(values_of(a, b), last));
    stopper.restore_best();  // asked for explicitly
    CHECK(same_bits(values_of(a, b), best));
  }
  SECTION("no finite metric: nothing to restore") {
    tl::early_stopping stopper({.patience = 1}, a);
    const std::vector<double> before = values_of(a);
    CHECK(stopper.observe(not_a_number));
    CHECK_FALSE(stopper.has_best());
    CHECK(std::isnan(stopper.best()));
    CHECK(same_bits(values_of(a), before));
    CHECK_THROWS_AS(stopper.restore_best(), std::logic_error);
    CHECK_THROWS_WITH(stopper.restore_best(),
                      Catch::StartsWith("tapeless: early_stopping: restore_best: no metric"));
  }
  SECTION("settings") {
    refused([&] { return tl::early_stopping({.patience = 0}, a); },
            "tapeless: early_stopping: patience must be 1 or more; it is 0");
    refused([&] { return tl::early_stopping({.min_delta = -0.1}, a); },
            "tapeless: early_stopping: min_delta must be 0 or more, and finite; it is -0.1");
  }
}

// ---- Rollback --------------------------------------------------------------------

TEST_CASE("rollback_guard: a NaN loss restores the last good values, and training goes on",
          "[rollback]") {
  const auto fresh = [](a_type& a, b_type& b) {
    tl::random_engine rng(5);
    tl::initialize(a, rng);
    tl::initialize(b, rng);
  };
  const auto batch = [](int i) {
    batch_x X = data_x(i);
    if (i == 3) X(2, 1) = not_a_number;  // one bad sample
    return X;
  };

  a_type a;
  b_type b;
  fresh(a, b);
  auto step = tl::gradient(tl::mse(b(a(x)), t), a, b);
  auto adam = tl::make_optimizer(tl::adam{.learning_rate = 0.01}, a, b);
  tl::rollback_guard guard({.every = 1, .max_rollbacks = 2}, a, b, adam);
  std::vector<std::vector<double>> before_step;  // the values each batch's loss was computed with
  for (int i = 0; i < 8; ++i) {
    before_step.push_back(values_of(a, b, adam));
    const batch_x X = batch(i);
    const batch_t T = data_t(i);
    const auto& g = step(tl::feed(x, X), tl::feed(t, T));
    bool go = false;
    CHECK(allocations_during([&] { go = guard.accept(g.loss()); }) == 0);
    if (i == 3) {
      CHECK_FALSE(go);
      // Back to the last values that gave a finite loss: those batch 2 was
      // computed with (batch 3's values are not known to be good).
      CHECK(same_bits(values_of(a, b, adam), before_step[2]));
      CHECK(adam.steps() == 2);
    } else {
      CHECK(go);
    }
    if (go) adam.step(g);
  }
  CHECK(guard.rollbacks() == 1);
  CHECK(guard.accepted() == 7);

  // The same as a run that never saw batches 2 and 3, bit for bit.
  a_type a2;
  b_type b2;
  fresh(a2, b2);
  auto step2 = tl::gradient(tl::mse(b2(a2(x)), t), a2, b2);
  auto adam2 = tl::make_optimizer(tl::adam{.learning_rate = 0.01}, a2, b2);
  for (int i : {0, 1, 4, 5, 6, 7})
    adam2.step(step2(tl::feed(x, data_x(i)), tl::feed(t, data_t(i))));
  CHECK(same_bits(values_of(a, b, adam), values_of(a2, b2, adam2)));
  CHECK(std::isfinite(step.loss()));
}

TEST_CASE("rollback_guard: capture cadence, the gradient norm, and divergence", "[rollback]") {
  a_type a;
  b_type b;
  tl::random_engine rng(6);
  tl::initialize(a, rng);
  tl::initialize(b, rng);
  auto step = tl::gradient(tl::mse(b(a(x)), t), a, b);
  auto sgd = tl::make_optimizer(tl::sgd{.learning_rate = 0.1}, a, b);
  tl::rollback_guard guard({.every = 3, .max_rollbacks = 2}, a, b, sgd);
  const std::vector<double> start = values_of(a, b, sgd);

  // Captures at the 3rd, 6th, ... accepted step, before that step's update.
  std::vector<double> third;
  for (int i = 0; i < 4; ++i) {
    if (i == 2) third = values_of(a, b, sgd);
    step(tl::feed(x, data_x(i)), tl::feed(t, data_t(i)));
    const double norm = tl::clip_grad_norm(step, 10.0, a, b);
    REQUIRE(guard.accept(step.loss(), norm));
    sgd.step(step);
  }
  // A finite loss with a gradient norm that is not: rolled back all the same.
  CHECK_FALSE(guard.accept(0.5, not_a_number));
  CHECK(same_bits(values_of(a, b, sgd), third));
  CHECK_FALSE(guard.accept(infinity));
  CHECK(same_bits(values_of(a, b, sgd), third));
  // The third failure from one capture: diverging; the values are restored.
  fill_parameters(a, 9.0);
  CHECK_THROWS_AS(guard.accept(not_a_number), tl::divergence_error);
  CHECK(same_bits(values_of(a, b, sgd), third));
  CHECK_THROWS_WITH(guard.accept(not_a_number),
                    "tapeless: rollback_guard: the loss was not finite 4 times from the same "
                    "good values (captured after 3 accepted steps; max_rollbacks is 2): lower the "
                    "learning rate, clip the gradients (tl::clip_grad_norm) or check the data");
  CHECK(guard.rollbacks() == 4);
  // A finite step clears the count only at the next capture.
  CHECK(guard.accept(1.0, 1.0f));
  CHECK(guard.accept(1.0));
  CHECK(guard.accepted() == 6);
  CHECK_FALSE(guard.accept(not_a_number));
  CHECK(guard.rollbacks() == 5);
  CHECK(!same_bits(start, third));

  refused([&] { return tl::rollback_guard({.every = 0}, a); },
          "tapeless: rollback_guard: every must be 1 or more; it is 0");
  refused([&] { return tl::rollback_guard({.max_rollbacks = -1}, a); },
          "tapeless: rollback_guard: max_rollbacks must be 0 or more; it is -1");
}

// ---- Together --------------------------------------------------------------------

TEST_CASE("a step with a schedule, clipping, the guard and early stopping allocates nothing",
          "[allocation]") {
  a_type a;
  b_type b;
  tl::random_engine rng(7);
  tl::initialize(a, rng);
  tl::initialize(b, rng);
  auto step = tl::gradient(tl::mse(b(a(x)), t), a, b);
  auto adam = tl::make_optimizer(tl::adam{}, a, b);
  const tl::cosine_lr cosine{.learning_rate = 0.05, .warmup_steps = 5, .total_steps = 80};
  tl::rollback_guard guard({}, a, b, adam);
  tl::early_stopping stopper({.patience = 5}, a, b, adam);
  const auto epoch_loss = [&] {
    double sum = 0;
    for (int i = 0; i < 4; ++i) sum += step(tl::feed(x, data_x(i)), tl::feed(t, data_t(i))).loss();
    return sum / 4;
  };
  const double first = epoch_loss();
  std::size_t allocations = 0;
  int skipped = 0;
  for (int i = 0; i < 80; ++i) {
    allocations += allocations_during([&] {
      adam.rule().learning_rate = cosine(adam.steps());
      step(tl::feed(x, data_x(i % 4)), tl::feed(t, data_t(i % 4)));
      const double norm = tl::clip_grad_norm(step, 1.0, a, b);
      if (!guard.accept(step.loss(), norm)) {
        ++skipped;
        return;
      }
      adam.step(step);
      if (i % 4 == 3) stopper.observe(step.loss());  // the same batch each time: comparable
    });
  }
  CHECK(allocations == 0);
  CHECK(skipped == 0);
  CHECK(adam.steps() == 80);
  CHECK(adam.rule().learning_rate == cosine(79));
  // Still improving: the last observation was the best, and nothing was restored.
  CHECK_FALSE(stopper.stopped());
  CHECK(stopper.best_epoch() == 19);
  const double last = epoch_loss();
  INFO("epoch loss " << first << " -> " << last);
  CHECK(last < first / 2);
}
