// The reference Hessian-vector product both HVP benchmarks (hvp.cpp,
// torch_hvp.cpp) are checked against before anything is timed: central
// differences of reference.hpp's hand-written gradients, in double, along a
// direction given as a second set of parameters of the same architecture.
#pragma once

#include <cstdint>

#include "reference.hpp"

namespace bench {

// The direction: parameters drawn like the problem's own, from another
// seed (the same shapes, layer by layer, weight then bias).
inline problem_data make_direction(const problem_desc& d) { return make_data(d, 4242); }

// (grad L(theta + h v) - grad L(theta - h v)) / 2h, for every requested
// parameter, in the order of reference_gradients. The loss field holds
// <grad L, v> at theta (the value an HVP program computes as its "loss").
// h = 1e-5: truncation error O(h^2) and rounding O(eps / h) both about
// 1e-10 relative on these problems; a relu kink within h of a
// pre-activation would show as a mismatch.
inline gradients reference_hvp(const problem_desc& d, const problem_data& p, const problem_data& v,
                               double h = 1e-5) {
  auto moved = [&](double by) {
    problem_data q = p;
    for (std::size_t l = 0; l < d.layers.size(); ++l) {
      q.weights[l] += by * v.weights[l];
      q.biases[l] += by * v.biases[l];
    }
    return reference_gradients(d, q);
  };
  const gradients plus = moved(h), minus = moved(-h), at = reference_gradients(d, p);
  gradients r;
  for (std::size_t i = 0; i < plus.g.size(); ++i) r.g.push_back((plus.g[i] - minus.g[i]) / (2 * h));
  const std::size_t first = d.first_requested();
  for (std::size_t i = 0; i < at.g.size(); ++i) {
    const std::size_t l = first + i / 2;
    r.loss += (at.g[i].array() * (i % 2 == 0 ? v.weights[l] : v.biases[l]).array()).sum();
  }
  return r;
}

}  // namespace bench
