// Threads. A program belongs to one thread at a time (its workspace is
// written by every run); programs on different model objects, and programs
// that only read one shared model (a frozen encoder), run concurrently.
// Each thread's result must equal, bit for bit, the same work done on one
// thread. The suite also runs this file under ThreadSanitizer (.ci/test,
// configuration tsan).

#include <array>
#include <cstdint>
#include <thread>
#include <vector>

#include <tapeless/tapeless.hpp>

#include "support.hpp"

namespace tl = tapeless;
using namespace tapeless_test;

namespace {

constexpr int workers = 4;
constexpr int steps = 30;

using model_t = tl::model<struct worker_tag, double, tl::Dense<3, 8, tl::Tanh>, tl::Dense<8, 2>>;
const tl::input<struct x_tag, double, 3> x;
const tl::input<struct t_tag, double, 2> t;

matrix<double> data_x(int i) { return pattern(16, 3, 1.0 + i); }
matrix<double> data_t(int i) { return pattern(16, 2, 10.0 + i); }

// Trains model m on worker i's data; returns the last loss.
double train(model_t& m, int i) {
  const matrix<double> X = data_x(i), T = data_t(i);
  auto step = tl::gradient(tl::mse(m(x), t), m);
  auto sgd = tl::make_optimizer(tl::sgd{.learning_rate = 0.1}, m);
  double loss = 0;
  for (int s = 0; s < steps; ++s) {
    const auto& g = step(tl::feed(x, X), tl::feed(t, T));
    loss = g.loss();
    sgd.step(g);
  }
  return loss;
}

}  // namespace

TEST_CASE("threads: one program per model object, all at once", "[threads]") {
  std::array<model_t, workers> alone, together;
  for (int i = 0; i < workers; ++i) {
    tl::random_engine rng{static_cast<std::uint64_t>(i)};
    tl::initialize(alone[i], rng);
    together[i].copy_values_from(alone[i]);
  }
  std::array<double, workers> expected{}, found{};
  for (int i = 0; i < workers; ++i) expected[i] = train(alone[i], i);

  std::vector<std::thread> threads;
  for (int i = 0; i < workers; ++i)
    threads.emplace_back([&, i] { found[i] = train(together[i], i); });
  for (auto& th : threads) th.join();

  for (int i = 0; i < workers; ++i) {
    CHECK(found[i] == expected[i]);
    CHECK(together[i].layer<0>().weight.value == alone[i].layer<0>().weight.value);
  }
}

TEST_CASE("threads: programs reading one shared frozen encoder", "[threads]") {
  using encoder_t = tl::model<struct shared_tag, double, tl::Frozen<tl::Dense<3, 8, tl::Tanh>>>;
  using head_t = tl::model<struct head_tag, double, tl::Dense<8, 2>>;
  encoder_t encoder;
  tl::random_engine rng(99);
  tl::initialize(encoder, rng);

  auto run = [&](head_t& head, int i) {
    const matrix<double> X = data_x(i), T = data_t(i);
    auto step = tl::gradient(tl::mse(head(encoder(x)), t), head);
    auto sgd = tl::make_optimizer(tl::sgd{.learning_rate = 0.1}, head);
    for (int s = 0; s < steps; ++s) sgd.step(step(tl::feed(x, X), tl::feed(t, T)));
    return step(tl::feed(x, X), tl::feed(t, T)).loss();
  };
  std::array<head_t, workers> alone, together;
  std::array<double, workers> expected{}, found{};
  for (int i = 0; i < workers; ++i) {
    fill_parameters(alone[i], 1.0 + i);
    together[i].copy_values_from(alone[i]);
    expected[i] = run(alone[i], i);
  }
  const matrix<double> encoder_before = encoder.layer<0>().weight.value;

  std::vector<std::thread> threads;
  for (int i = 0; i < workers; ++i)
    threads.emplace_back([&, i] { found[i] = run(together[i], i); });
  for (auto& th : threads) th.join();

  for (int i = 0; i < workers; ++i) CHECK(found[i] == expected[i]);
  CHECK(encoder.layer<0>().weight.value == encoder_before);
}
