// A target network updated by Polyak averaging, as in DQN: a deliberate
// copy of values between two models with different tags, which creates no
// dependency. The online value network V learns by temporal differences
// (TD(0)) on the 5-state random walk of Sutton and Barto (Example 6.2): from
// the centre, step left or right with equal probability; +1 for leaving on
// the right, 0 on the left. The true values are 1/6, ..., 5/6.
//
// The target r + V_target(s') is computed by the target network under
// stop_gradient: a request for the target's gradient does not compile
// (build with -DTAPELESS_SHOW_TARGET_ERROR), and after every step the
// target moves a little toward the online network: polyak_update_from.
//
//   td_target [--epochs N] [--expect RMS]   (RMS error of the values)

#include <cmath>
#include <cstdio>

#include <tapeless/tapeless.hpp>

#include "options.hpp"

namespace tl = tapeless;
using matrix = Eigen::MatrixXf;

// States are one-hot rows of 5; the two exits are terminal.
using value_t = tl::model<struct online, float, tl::Dense<5, 16, tl::Tanh>, tl::Dense<16, 1>>;
using target_t = tl::model<struct target, float, tl::Dense<5, 16, tl::Tanh>, tl::Dense<16, 1>>;

int main(int argc, char** argv) {
  const auto opt = examples::parse(argc, argv, {.epochs = 400, .expect = 0.05});
  value_t online;
  target_t target;
  tl::random_engine rng(17);
  tl::initialize(online, rng);
  target.copy_values_from(online);

  const tl::input<struct state, float, 5> s;
  const tl::input<struct next_state, float, 5> s2;
  const tl::input<struct reward, float, 1> r;
  const tl::input<struct not_done, float, 1> live;  // 0 where s' is terminal
  const auto bootstrapped = r + live * tl::stop_gradient(target(s2));
  const auto loss = tl::mse(online(s), bootstrapped);
  auto step = tl::gradient(loss, online);
#ifdef TAPELESS_SHOW_TARGET_ERROR
  auto wrong = tl::gradient(loss, target);  // error: every path passes through stop_gradient
#endif
  auto values = tl::evaluate(online(s));
  auto adam = tl::make_optimizer(tl::adam{.learning_rate = 3e-3}, online);

  const matrix states = matrix::Identity(5, 5);
  auto rms_error = [&] {
    const matrix v = values(tl::feed(s, states)).value();
    double sum = 0;
    for (int i = 0; i < 5; ++i) sum += std::pow(v(i, 0) - (i + 1) / 6.0, 2);
    return std::sqrt(sum / 5);
  };

  // Each epoch: 10 episodes from the centre, their transitions trained on
  // in one batch.
  matrix S, S2, R, L;
  std::printf("TD(0) on the 5-state random walk, target network tau = 0.05\n");
  double error = rms_error();
  std::printf("before training: RMS error of the values %.4f\n", error);
  for (int epoch = 1; epoch <= opt.epochs; ++epoch) {
    std::vector<std::array<float, 4>> steps;  // state, next state (-1: exit), reward
    for (int episode = 0; episode < 10; ++episode) {
      int at = 2;
      while (true) {
        const int next = at + (rng.uniform() < 0.5 ? -1 : 1);
        const bool exit = next < 0 || next > 4;
        steps.push_back({float(at), exit ? -1.0f : float(next), next > 4 ? 1.0f : 0.0f, 0});
        if (exit) break;
        at = next;
      }
    }
    const auto n = static_cast<Eigen::Index>(steps.size());
    S = matrix::Zero(n, 5);
    S2 = matrix::Zero(n, 5);
    R.resize(n, 1);
    L.resize(n, 1);
    for (Eigen::Index i = 0; i < n; ++i) {
      const auto& [from, to, reward, unused] = steps[std::size_t(i)];
      S(i, Eigen::Index(from)) = 1;
      if (to >= 0) S2(i, Eigen::Index(to)) = 1;
      R(i, 0) = reward;
      L(i, 0) = to >= 0 ? 1.0f : 0.0f;
    }
    adam.step(step(tl::feed(s, S), tl::feed(s2, S2), tl::feed(r, R), tl::feed(live, L)));
    target.polyak_update_from(online, 0.05f);
    error = rms_error();
    if (epoch % 25 == 0 || epoch == opt.epochs)
      std::printf("epoch %3d  RMS error %.4f\n", epoch, error);
  }
  const matrix v = values(tl::feed(s, states)).value();
  std::printf("values: %.3f %.3f %.3f %.3f %.3f (true: 0.167 0.333 0.500 0.667 0.833)\n", v(0),
              v(1), v(2), v(3), v(4));
  if (!(error < opt.expect)) {
    std::printf("FAILED: RMS error above %.4f\n", opt.expect);
    return 1;
  }
}
