// A hypernetwork: model H computes, from a task descriptor z, every weight
// and bias of a target network T that stores no parameters of its own. The
// loss is T's error on the task's data; its gradient reaches H's parameters
// through T's weights. This is "a variable that depends on another model"
// written as a dependency, where a tape user would assign weights and get
// None.
//
// Tasks: sine waves y = A sin(x + phi), A in [0.1, 5], phi in [0, pi], x in
// [-5, 5] (the family of the MAML paper). z is those two numbers, scaled to
// [0, 1]. After training, T with the weights H gives for an unseen task fits
// it without any training on that task.
//
//   hypernetwork [--epochs N] [--expect MSE]   (fails above MSE on held-out tasks)

#include <cmath>
#include <cstdio>
#include <numbers>

#include <tapeless/tapeless.hpp>
#include <tapeless/train/adam.hpp>
#include <tapeless/train/init.hpp>

#include "options.hpp"

namespace tl = tapeless;
using matrix = Eigen::MatrixXf;

// T: 1 -> 32 (tanh) -> 1. Its type only: with_weights applies it.
using target_t = tl::model<struct target, float, tl::Dense<1, 32, tl::Tanh>, tl::Dense<32, 1>>;

// H: a trunk shared by one head per tensor of T.
using trunk_t =
    tl::model<struct trunk, float, tl::Dense<2, 64, tl::Tanh>, tl::Dense<64, 64, tl::Tanh>>;
using head_w0_t = tl::model<struct head_w0, float, tl::Dense<64, 32>>;
using head_b0_t = tl::model<struct head_b0, float, tl::Dense<64, 32>>;
using head_w1_t = tl::model<struct head_w1, float, tl::Dense<64, 32>>;
using head_b1_t = tl::model<struct head_b1, float, tl::Dense<64, 1>>;

struct task {
  float amplitude, phase;
  matrix z() const {
    matrix out(1, 2);
    out << amplitude / 5.0f, phase / std::numbers::pi_v<float>;
    return out;
  }
  matrix y(const matrix& x) const { return amplitude * (x.array() + phase).sin().matrix(); }
};

task random_task(tl::random_engine& rng) {
  return {static_cast<float>(rng.uniform(0.1, 5.0)),
          static_cast<float>(rng.uniform(0.0, std::numbers::pi))};
}

int main(int argc, char** argv) {
  const auto opt = examples::parse(argc, argv, {.epochs = 40, .expect = 0.05});
  const int tasks_per_epoch = 500, points = 20;

  trunk_t trunk;
  head_w0_t head_w0;
  head_b0_t head_b0;
  head_w1_t head_w1;
  head_b1_t head_b1;
  tl::random_engine rng(11);
  tl::initialize(trunk, rng);
  tl::initialize(head_w0, rng);
  tl::initialize(head_b0, rng);
  tl::initialize(head_w1, rng);
  tl::initialize(head_b1, rng);

  // The graph: h = trunk(z) is one node read by the four heads; T's second
  // weight arrives as a 1 x 32 row and is reshaped (row-major) to 32 x 1.
  const tl::input<struct descriptor, float, 2, 1> z;
  const tl::input<struct points_x, float, 1> x;
  const tl::input<struct points_y, float, 1> y;
  const auto h = trunk(z);
  const auto prediction =
      target_t::with_weights(head_w0(h), head_b0(h), tl::reshape<32, 1>(head_w1(h)), head_b1(h))(x);
  const auto loss = tl::mse(prediction, y);
  static_assert(tl::depends_on_v<decltype(loss), trunk_t>);
  static_assert(tl::depends_on_v<decltype(loss), head_w1_t>);

  auto step = tl::gradient(loss, trunk, head_w0, head_b0, head_w1, head_b1);
  auto evaluate = tl::evaluate(loss);
  auto adam = tl::make_optimizer(tl::adam{.learning_rate = 1e-3}, trunk, head_w0, head_b0, head_w1,
                                 head_b1);

  // Held-out tasks, never trained on, each on a grid of 100 points.
  tl::random_engine held_out_rng(2026);
  std::vector<task> held_out;
  for (int i = 0; i < 20; ++i) held_out.push_back(random_task(held_out_rng));
  const matrix grid = matrix::NullaryExpr(
      100, 1, [](Eigen::Index i) { return -5.0f + 10.0f * static_cast<float>(i) / 99.0f; });
  auto held_out_mse = [&] {
    double total = 0;
    for (const task& k : held_out) {
      const matrix zk = k.z(), yk = k.y(grid);
      total += evaluate(tl::feed(z, zk), tl::feed(x, grid), tl::feed(y, yk)).loss();
    }
    return total / static_cast<double>(held_out.size());
  };

  std::printf(
      "hypernetwork: H (2 -> 64 -> 64, four heads) computes the 97 weights of T "
      "(1 -> 32 -> 1)\n");
  std::printf("before training: held-out task MSE %.4f\n", held_out_mse());
  matrix xs(points, 1), zs, ys;
  double mse = 0;
  const auto start = examples::clock::now();
  for (int epoch = 1; epoch <= opt.epochs; ++epoch) {
    double train = 0;
    for (int i = 0; i < tasks_per_epoch; ++i) {
      const task k = random_task(rng);
      for (int p = 0; p < points; ++p) xs(p, 0) = static_cast<float>(rng.uniform(-5.0, 5.0));
      zs = k.z();
      ys = k.y(xs);
      const auto& g = step(tl::feed(z, zs), tl::feed(x, xs), tl::feed(y, ys));
      train += g.loss();
      adam.step(g);
    }
    mse = held_out_mse();
    if (epoch == 1 || epoch % 5 == 0 || epoch == opt.epochs)
      std::printf("epoch %2d  training MSE %.4f  held-out task MSE %.4f\n", epoch,
                  train / tasks_per_epoch, mse);
  }
  std::printf("trained on %d tasks in %.2f s; held-out task MSE %.4f (predicting 0: about 4.2)\n",
              opt.epochs * tasks_per_epoch, examples::seconds_since(start), mse);
  if (!(mse < opt.expect)) {
    std::printf("FAILED: held-out MSE above %.4f\n", opt.expect);
    return 1;
  }
}
