// The reference gradients every implementation is checked against before
// anything is timed: hand-written backpropagation in double, on dynamic-size
// Eigen matrices (one instantiation for all problems, so that including it
// costs every benchmark translation unit the same, small, compile time).
#pragma once

#include <algorithm>
#include <cstdio>
#include <vector>

#include <Eigen/Core>

#include "problems.hpp"

namespace bench {

inline void activate(act a, Eigen::MatrixXd& h) {
  if (a == act::tanh) h = h.array().tanh().matrix();
  if (a == act::relu) h = h.array().max(0.0).matrix();
}
// g *= f'(.) given the activation's output h.
inline void pull_back(act a, const Eigen::MatrixXd& h, Eigen::MatrixXd& g) {
  if (a == act::tanh) g.array() *= 1.0 - h.array().square();
  if (a == act::relu) g.array() *= (h.array() > 0.0).cast<double>();
}

inline gradients reference_gradients(const problem_desc& d, const problem_data& p) {
  const std::size_t n = d.layers.size();
  std::vector<Eigen::MatrixXd> h(n + 1);
  h[0] = p.x;
  for (std::size_t l = 0; l < n; ++l) {
    h[l + 1] = h[l] * p.weights[l];
    h[l + 1].rowwise() += p.biases[l].row(0);
    activate(d.layers[l].activation, h[l + 1]);
  }
  gradients r;
  Eigen::MatrixXd g = h[n] - p.t;
  r.loss = g.squaredNorm() / static_cast<double>(g.size());
  g *= 2.0 / static_cast<double>(g.size());
  std::vector<Eigen::MatrixXd> dw(n), db(n);
  for (std::size_t l = n; l-- > d.first_requested();) {
    pull_back(d.layers[l].activation, h[l + 1], g);
    dw[l] = h[l].transpose() * g;
    db[l] = g.colwise().sum();
    if (l > d.first_requested()) g = (g * p.weights[l].transpose()).eval();
  }
  for (std::size_t l = d.first_requested(); l < n; ++l) {
    r.g.push_back(dw[l]);
    r.g.push_back(db[l]);
  }
  return r;
}

// Relative error of each tensor, ||got - want|| / ||want|| (Frobenius),
// and of the loss; false (with a message) if any exceeds `tolerance`.
inline bool matches(const char* who, const problem_desc& d, const gradients& got,
                    const gradients& want, double tolerance) {
  bool ok = got.g.size() == want.g.size();
  double worst = 0;
  auto rel = [](double e, double w) { return e / std::max(w, 1e-30); };
  worst = rel(std::abs(got.loss - want.loss), std::abs(want.loss));
  for (std::size_t i = 0; ok && i < want.g.size(); ++i) {
    if (got.g[i].rows() != want.g[i].rows() || got.g[i].cols() != want.g[i].cols()) {
      ok = false;
      break;
    }
    worst = std::max(worst, rel((got.g[i] - want.g[i]).norm(), want.g[i].norm()));
  }
  ok = ok && worst <= tolerance;
  std::fprintf(stderr, "validate %-10s %-16s max relative error %.3g (tolerance %.0e): %s\n", who,
               d.name.c_str(), worst, tolerance, ok ? "ok" : "MISMATCH");
  return ok;
}

template <class S>
constexpr double tolerance = sizeof(S) == 4 ? 1e-4 : 1e-10;

}  // namespace bench
