// MAML (Finn, Abbeel & Levine, 2017) on its few-shot sine-wave regression:
// tasks y = A sin(x + phi), A in [0.1, 5], phi in [0, pi], x in [-5, 5],
// K = 10 support and 10 query points. The inner SGD step is written as an
// expression, theta' = theta - alpha grad L_support(theta), with tl::grad;
// the query loss at theta' is differentiated with respect to theta, through
// the inner gradient (second order) or with it under tl::stop_gradient
// (first order). A baseline trained on all tasks jointly is adapted the same
// way at test time: on unseen tasks, after a few SGD steps on 10 points,
// MAML's initialisation must fit the task clearly better.
//
//   maml [--epochs N] [--expect R]   N meta-iterations; fails unless MAML's
//                                    query MSE after adaptation is below R
//                                    times the baseline's

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numbers>
#include <vector>

#include <tapeless/tapeless.hpp>
#include <tapeless/train/adam.hpp>
#include <tapeless/train/init.hpp>
#include <tapeless/train/sgd.hpp>

#include "options.hpp"

namespace tl = tapeless;
using matrix = Eigen::MatrixXf;

// The MAML paper's network, 1 -> 40 -> 40 -> 1, with tanh where it has
// ReLU (as hypernetwork.cpp's network on the same tasks).
template <class Tag>
using sine_net = tl::model<Tag, float, tl::Dense<1, 40, tl::Tanh>, tl::Dense<40, 40, tl::Tanh>,
                           tl::Dense<40, 1>>;
using net_t = sine_net<struct net>;

constexpr int shots = 10;          // K, support and query points per task
constexpr float alpha = 0.01f;     // inner SGD step, at training and test
constexpr int meta_batch = 10;     // tasks per outer step
constexpr int adapt_steps = 10;    // the "few" steps at test time
constexpr std::uint64_t seed = 7;  // initialisation and training tasks

struct task {
  float amplitude, phase;
  matrix y(const matrix& x) const { return amplitude * (x.array() + phase).sin().matrix(); }
};

task random_task(tl::random_engine& rng) {
  return {static_cast<float>(rng.uniform(0.1, 5.0)),
          static_cast<float>(rng.uniform(0.0, std::numbers::pi))};
}

matrix random_points(tl::random_engine& rng, int n) {
  matrix x(n, 1);
  for (int i = 0; i < n; ++i) x(i, 0) = static_cast<float>(rng.uniform(-5.0, 5.0));
  return x;
}

// Where each method's trained values are kept while the next one trains.
using maml_store = sine_net<struct maml_values>;
using fomaml_store = sine_net<struct fomaml_values>;
using baseline_store = sine_net<struct baseline_values>;

int main(int argc, char** argv) {
  const auto opt = examples::parse(argc, argv, {.epochs = 10000, .expect = 0.5});

  // One network `m` is trained by each method in turn from the same
  // initialisation and task stream, and adapted at test time.
  net_t m;
  const tl::input<struct support_x, float, 1> x;
  const tl::input<struct support_y, float, 1> t;
  const tl::input<struct query_x, float, 1> xq;
  const tl::input<struct query_y, float, 1> tq;
  auto& w0 = m.layer<0>().weight;
  auto& b0 = m.layer<0>().bias;
  auto& w1 = m.layer<1>().weight;
  auto& b1 = m.layer<1>().bias;
  auto& w2 = m.layer<2>().weight;
  auto& b2 = m.layer<2>().bias;

  // The inner step as an expression, and the query loss after it.
  const auto support_loss = tl::mse(m(x), t);
  const auto g = tl::grad(support_loss, m);
  const auto second_order =
      tl::mse(net_t::with_weights(w0 - alpha * g[w0], b0 - alpha * g[b0], w1 - alpha * g[w1],
                                  b1 - alpha * g[b1], w2 - alpha * g[w2], b2 - alpha * g[b2])(xq),
              tq);
  auto sg = [](const auto& e) { return tl::stop_gradient(e); };
  const auto first_order =
      tl::mse(net_t::with_weights(w0 - alpha * sg(g[w0]), b0 - alpha * sg(g[b0]),
                                  w1 - alpha * sg(g[w1]), b1 - alpha * sg(g[b1]),
                                  w2 - alpha * sg(g[w2]), b2 - alpha * sg(g[b2]))(xq),
              tq);
  auto maml_step = tl::gradient(second_order, m);
  auto fomaml_step = tl::gradient(first_order, m);
  // Plain regression: the baseline's training and everyone's test-time SGD.
  auto support_step = tl::gradient(support_loss, m);
  auto loss_of = tl::evaluate(support_loss);

  // An optimizer steps on one program's gradients; the meta-batch's mean
  // gradient G is handed to Adam as the gradient of the linear loss
  // <theta, G>, with G kept in a model of the same shape.
  sine_net<struct mean_gradient> mean_g;
  auto& g0 = mean_g.layer<0>().weight;
  auto& c0 = mean_g.layer<0>().bias;
  auto& g1 = mean_g.layer<1>().weight;
  auto& c1 = mean_g.layer<1>().bias;
  auto& g2 = mean_g.layer<2>().weight;
  auto& c2 = mean_g.layer<2>().bias;
  auto surrogate_step = tl::gradient(tl::sum(w0 * g0) + tl::sum(b0 * c0) + tl::sum(w1 * g1) +
                                         tl::sum(b1 * c1) + tl::sum(w2 * g2) + tl::sum(b2 * c2),
                                     m);
  auto accumulate = [&](const auto& r) {
    const float share = 1.0f / meta_batch;
    g0.value += share * r[w0];
    c0.value += share * r[b0];
    g1.value += share * r[w1];
    c1.value += share * r[b1];
    g2.value += share * r[w2];
    c2.value += share * r[b2];
  };

  auto meta_train = [&](auto& step) {
    tl::random_engine rng(seed);
    tl::initialize(m, rng);
    auto adam = tl::make_optimizer(tl::adam{.learning_rate = 1e-3}, m);
    for (int it = 0; it < opt.epochs; ++it) {
      mean_g.for_each_parameter([](auto& p) { p.value.setZero(); });
      for (int b = 0; b < meta_batch; ++b) {
        const task k = random_task(rng);
        const matrix xs = random_points(rng, shots), xqs = random_points(rng, shots);
        const matrix ys = k.y(xs), yqs = k.y(xqs);
        accumulate(step(tl::feed(x, xs), tl::feed(t, ys), tl::feed(xq, xqs), tl::feed(tq, yqs)));
      }
      adam.step(surrogate_step());
    }
  };

  // The baseline sees the same tasks and points, pooled into one batch.
  auto pretrain = [&] {
    tl::random_engine rng(seed);
    tl::initialize(m, rng);
    auto adam = tl::make_optimizer(tl::adam{.learning_rate = 1e-3}, m);
    matrix xs(meta_batch * 2 * shots, 1), ys(meta_batch * 2 * shots, 1);
    for (int it = 0; it < opt.epochs; ++it) {
      for (int b = 0; b < meta_batch; ++b) {
        const task k = random_task(rng);
        const matrix s = random_points(rng, shots), q = random_points(rng, shots);
        xs.middleRows(b * 2 * shots, shots) = s;
        xs.middleRows(b * 2 * shots + shots, shots) = q;
        ys.middleRows(b * 2 * shots, shots) = k.y(s);
        ys.middleRows(b * 2 * shots + shots, shots) = k.y(q);
      }
      adam.step(support_step(tl::feed(x, xs), tl::feed(t, ys)));
    }
  };

  const auto start = examples::clock::now();
  maml_store maml;
  fomaml_store fomaml;
  baseline_store baseline;
  meta_train(maml_step);
  maml.copy_values_from(m);
  meta_train(fomaml_step);
  fomaml.copy_values_from(m);
  pretrain();
  baseline.copy_values_from(m);
  const double train_seconds = examples::seconds_since(start);

  // Unseen tasks: 10 support points to adapt on, 100 query points to judge.
  struct held_out_task {
    matrix xs, ys, xq, yq;
  };
  std::vector<held_out_task> tests;
  tl::random_engine test_rng(2026);
  for (int i = 0; i < 100; ++i) {
    const task k = random_task(test_rng);
    const matrix s = random_points(test_rng, shots), q = random_points(test_rng, 100);
    tests.push_back({s, k.y(s), q, k.y(q)});
  }

  // Mean query MSE after 0, 1 and adapt_steps SGD steps from `initial`.
  struct result {
    double before, one, few;
  };
  auto sgd = tl::make_optimizer(tl::sgd{.learning_rate = alpha}, m);
  auto evaluate = [&](const auto& initial) {
    result r{0, 0, 0};
    for (const held_out_task& k : tests) {
      m.copy_values_from(initial);
      auto query = [&] { return loss_of(tl::feed(x, k.xq), tl::feed(t, k.yq)).loss(); };
      r.before += query();
      for (int s = 1; s <= adapt_steps; ++s) {
        sgd.step(support_step(tl::feed(x, k.xs), tl::feed(t, k.ys)));
        if (s == 1) r.one += query();
      }
      r.few += query();
    }
    const double n = static_cast<double>(tests.size());
    return result{r.before / n, r.one / n, r.few / n};
  };
  const result rm = evaluate(maml), rf = evaluate(fomaml), rb = evaluate(baseline);

  std::printf("MAML on sine waves: %d meta-iterations of %d tasks, K = %d, alpha = %g (%.2f s)\n",
              opt.epochs, meta_batch, shots, static_cast<double>(alpha), train_seconds);
  std::printf("mean query MSE on %zu unseen tasks, adapted by SGD on %d points:\n", tests.size(),
              shots);
  std::printf("  %-22s %10s %10s %10s\n", "initialisation", "0 steps", "1 step", "10 steps");
  auto row = [](const char* name, const result& r) {
    std::printf("  %-22s %10.4f %10.4f %10.4f\n", name, r.before, r.one, r.few);
  };
  row("MAML (second order)", rm);
  row("first-order MAML", rf);
  row("pre-trained baseline", rb);

  if (!(rm.one < opt.expect * rb.one && rm.few < opt.expect * rb.few)) {
    std::printf("FAILED: MAML's adapted error is not below %.2f times the baseline's\n",
                opt.expect);
    return 1;
  }
}
