// The curvature of a loss, from gradients as expressions: a small network
// regresses iris petal width on the other three measurements; after
// training, the largest eigenvalue of the loss's Hessian with respect to
// the first layer's parameters is found by power iteration on
// Hessian-vector products (tl::hvp, the direction held in a second model of
// the same architecture), and checked against the eigenvalues of the full
// Hessian (tl::hessian). 2 / lambda_max is the largest learning rate at
// which gradient descent on that layer is stable near the minimum; a few
// steps on either side of it show the difference.
//
//   curvature [--epochs N] [--expect R]   N Adam steps of training; fails if
//                                         the two eigenvalues differ by more
//                                         than R, relative
//
// Data: examples/data/iris.csv (Fisher 1936; attribution in
// examples/data/README.md).

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

#include <Eigen/Eigenvalues>

#include <tapeless/tapeless.hpp>
#include <tapeless/train/adam.hpp>
#include <tapeless/train/init.hpp>
#include <tapeless/train/sgd.hpp>

#include "datasets.hpp"

namespace tl = tapeless;
using matrix = Eigen::MatrixXd;

// Double precision: the check compares eigenvalues to 1e-6.
template <class Tag>
using iris_net = tl::model<Tag, double, tl::Dense<3, 8, tl::Tanh>, tl::Dense<8, 1>>;
using net_t = iris_net<struct net>;

int main(int argc, char** argv) {
  const auto opt = examples::parse(argc, argv, {.epochs = 300, .expect = 1e-6});

  // All 150 rows: the curvature is the training loss's.
  const matrix table =
      tl::io::read_csv<double>(examples::data_file("iris.csv"), {.skip_header_lines = 1});
  matrix X = table.leftCols(3);
  const matrix Y = table.col(3);
  const Eigen::RowVector3d mean = X.colwise().mean();
  const Eigen::RowVector3d sd = ((X.rowwise() - mean).array().square().colwise().mean()).sqrt();
  X = ((X.rowwise() - mean).array().rowwise() / sd.array()).matrix();

  net_t m;
  tl::random_engine rng(3);
  tl::initialize(m, rng);
  const tl::input<struct measurements, double, 3> x;
  const tl::input<struct petal_width, double, 1> y;
  const auto loss = tl::mse(m(x), y);
  auto run = [&](auto& program) -> decltype(auto) {
    return program(tl::feed(x, X), tl::feed(y, Y));
  };

  auto step = tl::gradient(loss, m);
  auto adam = tl::make_optimizer(tl::adam{.learning_rate = 0.01}, m);
  for (int i = 0; i < opt.epochs; ++i) adam.step(run(step));
  auto value = tl::evaluate(loss);
  const double trained = run(value).loss();
  std::printf("iris petal width from 3 measurements, 3 -> 8 (tanh) -> 1: MSE %.5f after %d steps\n",
              trained, opt.epochs);

  // Power iteration: v <- H v / |H v|, the first layer's weight and bias
  // together one vector of 32; it finds the eigenvalue largest in
  // magnitude, the top one near a minimum.
  auto& layer = m.layer<0>();
  iris_net<struct direction> v;
  auto& vw = v.layer<0>().weight.value;
  auto& vb = v.layer<0>().bias.value;
  const auto hv = tl::hvp(loss, layer, v.layer<0>());
  auto hv_weight = tl::evaluate(hv[layer.weight]);
  auto hv_bias = tl::evaluate(hv[layer.bias]);
  auto randomize = [&](auto& part) {
    for (double& e : part.reshaped()) e = rng.normal();
  };
  // The largest eigenvalue at the model's current values, and how many
  // products it took.
  struct estimate {
    double lambda;
    int products;
  };
  auto top_eigenvalue = [&] {
    randomize(vw);
    randomize(vb);
    double lambda = 0;
    int products = 0;
    while (products < 10000) {
      const double norm = std::sqrt(vw.squaredNorm() + vb.squaredNorm());
      vw /= norm;
      vb /= norm;
      const matrix hw = run(hv_weight).value(), hb = run(hv_bias).value();
      ++products;
      const double previous = lambda;
      lambda = vw.cwiseProduct(hw).sum() + vb.cwiseProduct(hb).sum();  // v'Hv, |v| = 1
      vw = hw;
      vb = hb;
      if (std::abs(lambda - previous) <= 1e-14 * std::abs(lambda)) break;
    }
    return estimate{lambda, products};
  };
  const auto start = examples::clock::now();
  const auto [lambda, products] = top_eigenvalue();
  const double power_seconds = examples::seconds_since(start);

  // The full 32 x 32 Hessian, one HVP per column, and its spectrum.
  auto hessian = tl::hessian(loss, layer);
  const matrix H = run(hessian);
  const Eigen::SelfAdjointEigenSolver<matrix> eigen(H);
  const auto& values = eigen.eigenvalues();  // ascending
  const double top = values(values.size() - 1), bottom = values(0);
  const double relative = std::abs(lambda - top) / std::abs(top);
  std::printf("Hessian of the loss w.r.t. layer 0 (%td parameters), |H - H'| = %.1e\n", H.rows(),
              (H - H.transpose()).norm());
  std::printf("  power iteration on tl::hvp: lambda_max = %.10f (%d iterations, %.3f s)\n", lambda,
              products, power_seconds);
  std::printf("  eigenvalues of tl::hessian: lambda_max = %.10f, lambda_min = %.3e\n", top, bottom);
  std::printf("  relative difference %.1e\n", relative);
  std::printf(
      "largest stable learning rate for gradient descent on layer 0: 2 / lambda_max = %.4f\n",
      2 / top);

  // Full-batch gradient descent on layer 0 alone from the trained values,
  // just below 2 / lambda_max and above it. Below, the loss falls step by
  // step; above, it first grows along the top eigenvector, until the run
  // reaches a flatter region where the step is stable again (the
  // "catapult" of Lewkowycz et al., 2020).
  iris_net<struct trained_values> saved;
  saved.copy_values_from(m);
  auto layer_step = tl::gradient(loss, layer);
  struct run_result {
    double worst, last, sharpness;
    bool monotone;
  };
  auto descend = [&](double factor) {
    m.copy_values_from(saved);
    auto sgd = tl::make_optimizer(tl::sgd{.learning_rate = factor * 2 / top}, m);
    run_result r{trained, trained, 0, true};
    for (int i = 0; i < 100; ++i) {
      sgd.step(run(layer_step));
      const double now = run(value).loss();
      r.monotone = r.monotone && now <= r.last;
      r.worst = std::max(r.worst, now);
      r.last = now;
    }
    r.sharpness = top_eigenvalue().lambda;
    m.copy_values_from(saved);
    return r;
  };
  const run_result below = descend(0.9), above = descend(1.5);
  std::printf("100 steps of gradient descent on layer 0 from MSE %.5f:\n", trained);
  for (const auto& [factor, r] : {std::pair{0.9, below}, std::pair{1.5, above}})
    std::printf(
        "  at %.1f x 2 / lambda_max: %s, highest MSE %.5f, final %.5f, then lambda_max %.4f "
        "(2 / learning rate %.4f)\n",
        factor, r.monotone ? "falls every step" : "rises", r.worst, r.last, r.sharpness,
        top / factor);

  if (!below.monotone || !(above.worst > 2 * trained)) {
    std::printf("FAILED: the loss did not behave as 2 / lambda_max predicts\n");
    return 1;
  }
  if (!(relative <= opt.expect)) {
    std::printf("FAILED: the eigenvalues differ by more than %.1e\n", opt.expect);
    return 1;
  }
}
