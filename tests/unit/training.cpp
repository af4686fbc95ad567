// Training: the random engine's reproducibility, the initialisers' ranges
// and variances, every update rule against updates computed by hand,
// element by element, for a few steps, mini-batches, and resuming from a
// checkpoint.

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include <tapeless/io/checkpoint.hpp>
#include <tapeless/tapeless.hpp>

#include "scratch_dir.hpp"
#include "support.hpp"

namespace tl = tapeless;
using namespace tapeless_test;

namespace {

// Sample mean and variance of every weight of a matrix.
template <class M>
std::pair<double, double> moments(const M& m) {
  const double mean = m.template cast<double>().mean();
  const double var = (m.template cast<double>().array() - mean).square().mean();
  return {mean, var};
}

struct a_tag;
struct b_tag;
using a_type = tl::model<a_tag, double, tl::Dense<3, 4, tl::Tanh>, tl::Dense<4, 2>>;
using b_type = tl::model<b_tag, double, tl::Dense<2, 2, tl::Sigmoid>>;
tl::input<struct x_tag, double, 3> x;
tl::input<struct t_tag, double, 2> t;
const matrix<double> X = pattern(5, 3, 1.0);
const matrix<double> T = pattern(5, 2, 2.0);

// Every parameter value of a model, flattened, in for_each_parameter order.
template <class Model>
std::vector<double> values_of(const Model& m) {
  std::vector<double> v;
  m.for_each_parameter([&](const auto& p) {
    for (Eigen::Index i = 0; i < p.value.size(); ++i) v.push_back(p.value.data()[i]);
  });
  return v;
}

// Runs `steps` steps of `opt` on loss(b(a(x)), t) with respect to `a`, and
// after each checks every parameter of a against `rule(p, g, slot)`, the
// update written out by hand per element. `slot` indexes per-element state
// the rule keeps itself.
template <class Rule, class HandRule>
void check_against_hand(Rule rule, HandRule hand, int steps) {
  a_type a;
  b_type b;
  fill_parameters(a, 3.0);
  fill_parameters(b, 4.0);
  auto loss = tl::mse(b(a(x)), t);
  auto step = tl::gradient(loss, a);
  auto opt = tl::make_optimizer(rule, a);
  const std::vector<double> b_before = values_of(b);
  for (int s = 1; s <= steps; ++s) {
    const auto& g = step(tl::feed(x, X), tl::feed(t, T));
    std::vector<double> expected;
    std::size_t slot = 0;
    a.for_each_parameter([&](const auto& p) {
      const auto grad = g[p].eval();
      for (Eigen::Index i = 0; i < p.value.size(); ++i)
        expected.push_back(hand(p.value.data()[i], grad.data()[i], slot++, s));
    });
    opt.step(g);
    const std::vector<double> got = values_of(a);
    REQUIRE(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      INFO("step " << s << ", element " << i);
      CHECK(got[i] == Approx(expected[i]).epsilon(1e-13).margin(1e-15));
    }
  }
  CHECK(opt.steps() == steps);
  CHECK(values_of(b) == b_before);  // not given to the optimizer
}

}  // namespace

TEST_CASE("random_engine: one seed, one sequence, on every platform", "[init]") {
  tl::random_engine r1(7), r2(7), r3(8);
  std::vector<double> s1, s2, s3;
  for (int i = 0; i < 100; ++i) {
    s1.push_back(r1.uniform());
    s2.push_back(r2.uniform());
    s3.push_back(r3.uniform());
  }
  CHECK(s1 == s2);
  CHECK(s1 != s3);
  // The first number is std::mt19937_64's first output (a sequence the
  // standard fixes), its top 53 bits over 2^53.
  std::mt19937_64 bits(7);
  CHECK(s1[0] == static_cast<double>(bits() >> 11) * 0x1.0p-53);

  tl::random_engine r(1);
  double sum = 0, sum2 = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double z = r.normal();
    sum += z;
    sum2 += z * z;
  }
  CHECK(std::abs(sum / n) < 0.01);
  CHECK(std::abs(sum2 / n - 1.0) < 0.01);

  std::vector<int> v(50);
  std::iota(v.begin(), v.end(), 0);
  std::vector<int> w = v;
  tl::random_engine p1(3), p2(3);
  p1.shuffle(v.begin(), v.end());
  p2.shuffle(w.begin(), w.end());
  CHECK(v == w);
  std::vector<int> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted[0] == 0);
  CHECK(sorted[49] == 49);
  CHECK(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
  CHECK(v != sorted);  // 1 in 50! to fail by chance
}

TEST_CASE("initialisers: bounds, variances and reproducibility", "[init]") {
  using wide =
      tl::model<struct wide_tag, float, tl::Dense<100, 60, tl::Tanh>, tl::Dense<60, 80, tl::ReLU>>;
  wide m;
  tl::random_engine rng(11);
  m.layer<0>().bias.value.setOnes();

  SECTION("Glorot uniform") {
    tl::initialize(m, tl::glorot_uniform, rng);
    const auto& w = m.layer<0>().weight.value;
    const double a = std::sqrt(6.0 / 160.0);
    CHECK(w.maxCoeff() < a);
    CHECK(w.minCoeff() >= -a);
    CHECK(w.maxCoeff() > 0.98 * a);  // the range is used, not a part of it
    const auto [mean, var] = moments(w);
    CHECK(std::abs(mean) < 0.01);
    CHECK(var == Approx(2.0 / 160.0).epsilon(0.05));  // a^2 / 3
    CHECK(m.layer<0>().bias.value.isZero(0));
  }
  SECTION("Glorot normal") {
    tl::initialize(m, tl::glorot_normal, rng);
    CHECK(moments(m.layer<1>().weight.value).second == Approx(2.0 / 140.0).epsilon(0.05));
  }
  SECTION("He uniform and normal") {
    tl::initialize(m, tl::he_uniform, rng);
    CHECK(m.layer<1>().weight.value.cwiseAbs().maxCoeff() < std::sqrt(6.0 / 60.0));
    CHECK(moments(m.layer<1>().weight.value).second == Approx(2.0 / 60.0).epsilon(0.05));
    tl::initialize(m, tl::he_normal, rng);
    CHECK(moments(m.layer<0>().weight.value).second == Approx(2.0 / 100.0).epsilon(0.05));
  }
  SECTION("by activation: He before ReLU, Glorot otherwise") {
    tl::initialize(m, rng);
    CHECK(moments(m.layer<0>().weight.value).second == Approx(2.0 / 160.0).epsilon(0.05));
    CHECK(moments(m.layer<1>().weight.value).second == Approx(2.0 / 60.0).epsilon(0.05));
  }
  SECTION("the same seed gives the same model") {
    wide n;
    tl::random_engine r1(5), r2(5);
    tl::initialize(m, r1);
    tl::initialize(n, r2);
    CHECK(m.layer<1>().weight.value == n.layer<1>().weight.value);
    tl::initialize(n, r2);
    CHECK(m.layer<1>().weight.value != n.layer<1>().weight.value);
  }
}

TEST_CASE("sgd: p <- p - lr g", "[optimizer]") {
  const double lr = 0.1;
  check_against_hand(
      tl::sgd{.learning_rate = lr},
      [&](double p, double g, std::size_t, int) { return p - lr * g; }, 3);
}

TEST_CASE("momentum_sgd: heavy ball and Nesterov", "[optimizer]") {
  const double lr = 0.05, mu = 0.9;
  for (const bool nesterov : {false, true}) {
    INFO("nesterov " << nesterov);
    std::vector<double> v(100, 0.0);
    check_against_hand(
        tl::momentum_sgd{.learning_rate = lr, .momentum = mu, .nesterov = nesterov},
        [&](double p, double g, std::size_t k, int) {
          v[k] = mu * v[k] + g;
          return p - lr * (nesterov ? g + mu * v[k] : v[k]);
        },
        3);
  }
}

TEST_CASE("adam: the paper's Algorithm 1 with bias correction", "[optimizer]") {
  const double lr = 0.01, b1 = 0.8, b2 = 0.9, eps = 1e-6;
  std::vector<double> m(100, 0.0), v(100, 0.0);
  check_against_hand(
      tl::adam{.learning_rate = lr, .beta1 = b1, .beta2 = b2, .epsilon = eps},
      [&](double p, double g, std::size_t k, int step) {
        m[k] = b1 * m[k] + (1 - b1) * g;
        v[k] = b2 * v[k] + (1 - b2) * g * g;
        const double mhat = m[k] / (1 - std::pow(b1, step));
        const double vhat = v[k] / (1 - std::pow(b2, step));
        return p - lr * mhat / (std::sqrt(vhat) + eps);
      },
      4);
}

TEST_CASE("adam: the first step moves every parameter by about lr, against its gradient",
          "[optimizer]") {
  a_type a;
  b_type b;
  fill_parameters(a, 3.0);
  fill_parameters(b, 4.0);
  auto step = tl::gradient(tl::mse(b(a(x)), t), a);
  auto opt = tl::make_optimizer(tl::adam{.learning_rate = 0.01}, a);
  const auto& w = a.layer<0>().weight;
  const matrix<double> before = w.value;
  const matrix<double> g = step(tl::feed(x, X), tl::feed(t, T))[w];
  opt.step(step);
  // m^ = g and v^ = g^2 after one step: the update is lr g / (|g| + eps).
  const matrix<double> expected = before.array() - 0.01 * g.array() / (g.array().abs() + 1e-8);
  CHECK_THAT(w.value, is_close_to(expected, 1e-12));
}

TEST_CASE("adamw: decoupled weight decay", "[optimizer]") {
  const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.1;
  std::vector<double> m(100, 0.0), v(100, 0.0);
  check_against_hand(
      tl::adamw{.learning_rate = lr, .beta1 = b1, .beta2 = b2, .epsilon = eps, .weight_decay = wd},
      [&](double p, double g, std::size_t k, int step) {
        m[k] = b1 * m[k] + (1 - b1) * g;
        v[k] = b2 * v[k] + (1 - b2) * g * g;
        const double mhat = m[k] / (1 - std::pow(b1, step));
        const double vhat = v[k] / (1 - std::pow(b2, step));
        return p - lr * (mhat / (std::sqrt(vhat) + eps) + wd * p);
      },
      3);
}

TEST_CASE("optimizers update exactly the parameters they are given gradients for", "[optimizer]") {
  a_type a;
  b_type b;
  fill_parameters(a, 3.0);
  fill_parameters(b, 4.0);
  auto loss = tl::mse(b(a(x)), t);
  // One optimizer for both models, a gradient for b only: a is untouched.
  auto opt = tl::make_optimizer(tl::sgd{.learning_rate = 0.5}, a, b);
  auto only_b = tl::gradient(loss, b);
  const auto a_before = values_of(a), b_before = values_of(b);
  opt.step(only_b(tl::feed(x, X), tl::feed(t, T)));
  CHECK(values_of(a) == a_before);
  CHECK(values_of(b) != b_before);

  // One optimizer per model, with different settings, from one joint
  // gradient: each updates its own model.
  auto joint = tl::gradient(loss, a, b);
  auto opt_a = tl::make_optimizer(tl::sgd{.learning_rate = 0.0}, a);
  auto opt_b = tl::make_optimizer(tl::sgd{.learning_rate = 0.5}, b);
  const auto b_mid = values_of(b);
  const auto& g = joint(tl::feed(x, X), tl::feed(t, T));
  const matrix<double> expected = b.layer<0>().weight.value - 0.5 * g[b.layer<0>().weight];
  opt_a.step(g);
  opt_b.step(g);
  CHECK(values_of(a) == a_before);  // learning rate 0
  CHECK(b.layer<0>().weight.value == expected);
  CHECK(values_of(b) != b_mid);

  // Frozen layers have no state and are never updated.
  tl::model<struct f_tag, double, tl::Frozen<tl::Dense<3, 4, tl::Tanh>>, tl::Dense<4, 2>> f;
  fill_parameters(f, 5.0);
  auto f_step = tl::gradient(tl::mse(f(x), t), f);
  auto f_opt = tl::make_optimizer(tl::adam{}, f);
  const matrix<double> frozen_before = f.layer<0>().weight.value;
  const matrix<double> trained_before = f.layer<1>().weight.value;
  f_opt.step(f_step(tl::feed(x, X), tl::feed(t, T)));
  CHECK(f.layer<0>().weight.value == frozen_before);
  CHECK(f.layer<1>().weight.value != trained_before);
  std::vector<std::string> names;
  f_opt.for_each_tensor([&](const std::string& n, auto&&) { names.push_back(n); });
  CHECK(names == std::vector<std::string>{"adam.m/f_tag.layer1.W", "adam.v/f_tag.layer1.W",
                                          "adam.m/f_tag.layer1.b", "adam.v/f_tag.layer1.b",
                                          "adam.step"});
}

TEST_CASE("training reduces the loss: Adam on a two-model network", "[optimizer]") {
  a_type a;
  b_type b;
  tl::random_engine rng(2);
  tl::initialize(a, rng);
  tl::initialize(b, rng);
  auto step = tl::gradient(tl::mse(b(a(x)), t), a, b);
  auto opt = tl::make_optimizer(tl::adam{.learning_rate = 0.05}, a, b);
  const matrix<double> target = (T.array() + 1.0) / 4.0;  // sigmoid's range
  const double first = step(tl::feed(x, X), tl::feed(t, target)).loss();
  for (int i = 0; i < 300; ++i) opt.step(step(tl::feed(x, X), tl::feed(t, target)));
  CHECK(step.loss() < first / 20);
}

TEST_CASE("optimizer settings are checked at construction and before every step", "[optimizer]") {
  a_type a;
  const auto refused = [&](auto rule, const std::string& message) {
    INFO(message);
    CHECK_THROWS_AS(tl::make_optimizer(rule, a), tl::optimizer_setting_error);
    CHECK_THROWS_AS(tl::make_optimizer(rule, a), std::invalid_argument);
    CHECK_THROWS_WITH(tl::make_optimizer(rule, a), message);
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  refused(tl::sgd{.learning_rate = nan},
          "tapeless: sgd: learning_rate must be in [0, 100]; it is nan");
  refused(tl::sgd{.learning_rate = -0.1},
          "tapeless: sgd: learning_rate must be in [0, 100]; it is -0.1");
  refused(tl::sgd{.learning_rate = 1e3},
          "tapeless: sgd: learning_rate must be in [0, 100]; it is 1000");
  refused(tl::momentum_sgd{.momentum = 1},
          "tapeless: momentum_sgd: momentum must be in [0, 1); it is 1");
  refused(tl::momentum_sgd{.momentum = -0.5},
          "tapeless: momentum_sgd: momentum must be in [0, 1); it is -0.5");
  refused(tl::adam{.beta1 = 1}, "tapeless: adam: beta1 must be in [0, 1); it is 1");
  refused(tl::adam{.beta2 = 1}, "tapeless: adam: beta2 must be in [0, 1); it is 1");
  refused(tl::adam{.beta2 = 1.5}, "tapeless: adam: beta2 must be in [0, 1); it is 1.5");
  refused(tl::adam{.epsilon = 0}, "tapeless: adam: epsilon must be positive and finite; it is 0");
  refused(tl::adam{.learning_rate = inf},
          "tapeless: adam: learning_rate must be in [0, 100]; it is inf");
  refused(tl::adamw{.weight_decay = -0.01},
          "tapeless: adamw: weight_decay must be 0 or more, and finite; it is -0.01");
  refused(tl::adamw{.beta1 = nan}, "tapeless: adamw: beta1 must be in [0, 1); it is nan");
  // The limits themselves are accepted.
  CHECK_NOTHROW(tl::make_optimizer(tl::sgd{.learning_rate = 0}, a));
  CHECK_NOTHROW(tl::make_optimizer(tl::sgd{.learning_rate = 100}, a));
  CHECK_NOTHROW(tl::make_optimizer(tl::adamw{.beta1 = 0, .beta2 = 0, .weight_decay = 0}, a));

  // Changed through rule(): refused by the next step, which changes nothing.
  b_type b;
  fill_parameters(a, 3.0);
  fill_parameters(b, 4.0);
  auto step = tl::gradient(tl::mse(b(a(x)), t), a);
  auto opt = tl::make_optimizer(tl::adam{}, a);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  opt.rule().beta2 = 1;
  const auto before = values_of(a);
  CHECK_THROWS_WITH(opt.step(g), "tapeless: adam: beta2 must be in [0, 1); it is 1");
  opt.rule().beta2 = 0.999;
  opt.rule().learning_rate = -1e-3;
  CHECK_THROWS_WITH(opt.step(g), "tapeless: adam: learning_rate must be in [0, 100]; it is -0.001");
  CHECK(values_of(a) == before);
  CHECK(opt.steps() == 0);
  opt.rule().learning_rate = 1e-3;
  opt.step(g);
  CHECK(opt.steps() == 1);
  CHECK(values_of(a) != before);
}

TEST_CASE("batches: every sample once per epoch, the last batch smaller", "[batches]") {
  tl::batches b(10, 4);
  CHECK(b.count() == 3);
  CHECK(b[2].size() == 2);
  std::vector<Eigen::Index> seen;
  for (Eigen::Index i = 0; i < b.count(); ++i) seen.insert(seen.end(), b[i].begin(), b[i].end());
  CHECK(seen == std::vector<Eigen::Index>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});

  tl::random_engine r1(4), r2(4);
  tl::batches c(10, 4);
  b.shuffle(r1);
  c.shuffle(r2);
  std::vector<Eigen::Index> first, again;
  for (Eigen::Index i = 0; i < b.count(); ++i) {
    first.insert(first.end(), b[i].begin(), b[i].end());
    again.insert(again.end(), c[i].begin(), c[i].end());
  }
  CHECK(first == again);
  CHECK(first != seen);
  std::sort(first.begin(), first.end());
  CHECK(first == seen);
  CHECK_THROWS_WITH(tl::batches(10, 0), Catch::Contains("10 samples in batches of 0"));

  // Gathering rows into a buffer: the rows asked for, contiguous, and a
  // smaller batch in the same storage.
  const matrix<double> data = pattern(10, 3, 1.0);
  tl::batch_buffer<double> buffer(4, 3);
  const auto full = buffer.gather(data, b[0]);
  const double* storage = full.data();
  for (Eigen::Index i = 0; i < 4; ++i) CHECK(full.row(i) == data.row(b[0][std::size_t(i)]));
  const auto last = buffer.gather(data, b[2]);
  CHECK(last.rows() == 2);
  CHECK(last.data() == storage);
  CHECK(last.row(1) == data.row(b[2][1]));
  CHECK_THROWS_WITH(tl::batch_buffer<double>(2, 3).gather(data, b[0]),
                    Catch::Contains("4 rows of 3 columns do not fit 2 of 3"));
}

TEST_CASE("checkpoints resume training exactly: models and optimizer state", "[checkpoint]") {
  const scratch_dir dir("training");
  const auto path = dir.path / "resume.tlck";
  auto train = [&](a_type& a, b_type& b, auto& opt, int steps) {
    auto step = tl::gradient(tl::mse(b(a(x)), t), a, b);
    for (int i = 0; i < steps; ++i) opt.step(step(tl::feed(x, X), tl::feed(t, T)));
  };
  a_type a;
  b_type b;
  tl::random_engine rng(9);
  tl::initialize(a, rng);
  tl::initialize(b, rng);
  auto opt = tl::make_optimizer(tl::adam{.learning_rate = 0.01}, a, b);
  train(a, b, opt, 3);
  tl::save(path, a, b, opt);
  train(a, b, opt, 3);

  a_type a2;
  b_type b2;
  auto opt2 = tl::make_optimizer(tl::adam{.learning_rate = 0.01}, a2, b2);
  tl::load(path, a2, b2, opt2);
  CHECK(opt2.steps() == 3);
  train(a2, b2, opt2, 3);
  CHECK(opt2.steps() == 6);
  CHECK(values_of(a2) == values_of(a));  // bit for bit
  CHECK(values_of(b2) == values_of(b));
}
