#pragma once

// What every unit test shares: deterministic test data, the one
// finite-difference helper, and a matcher that compares matrices with a
// relative tolerance and prints both sides when they differ.

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include <Eigen/Core>
#include <catch2/catch.hpp>

#include <tapeless/inspect/check_gradients.hpp>

namespace tapeless_test {

template <class S>
using matrix = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;

// Irregular values in [-1, 1], the same on every run and in every order the
// test cases run in (Eigen's setRandom draws from std::rand, whose state
// depends on the tests that ran before). `seed` picks a different pattern.
inline matrix<double> pattern(Eigen::Index rows, Eigen::Index cols, double seed) {
  matrix<double> m(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index i = 0; i < rows; ++i)
      m(i, j) = std::sin(1.9 * seed + 1.3 * double(i) + 2.7 * double(j) + 0.37 * double(i * j));
  return m;
}

// The same values pushed at least `margin` away from zero, for functions
// with a kink or a pole at 0 (relu, log, division).
inline matrix<double> away_from_zero(const matrix<double>& m, double margin) {
  return m.unaryExpr([margin](double v) { return v < 0 ? v - margin : v + margin; });
}

// Sets every parameter of a model (or anything with for_each_parameter) to
// a pattern, a different one per parameter.
template <class Model>
void fill_parameters(Model& model, double seed) {
  model.for_each_parameter([&](auto& p) {
    using S = typename std::remove_cvref_t<decltype(p.value)>::Scalar;
    p.value = pattern(p.value.rows(), p.value.cols(), seed).template cast<S>();
    seed += 1;
  });
}

// The one finite-difference helper is the library's (tl::numeric_gradient,
// inspect/check_gradients.hpp): central differences of a scalar f() with
// respect to every element of a matrix that f reads, perturbed in place.
using tapeless::numeric_gradient;

// Matches a matrix whose largest deviation from `expected` is at most
// `relative` times the largest magnitude in `expected` (a relative error in
// the max norm, which stays meaningful where single elements are near 0).
template <class S>
class close_to : public Catch::MatcherBase<matrix<S>> {
  matrix<S> expected_;
  double relative_;

 public:
  close_to(matrix<S> expected, double relative)
      : expected_(std::move(expected)), relative_(relative) {}

  bool match(const matrix<S>& actual) const override {
    if (actual.rows() != expected_.rows() || actual.cols() != expected_.cols()) return false;
    if (expected_.size() == 0) return true;
    const double scale =
        std::max<double>(expected_.cwiseAbs().maxCoeff(), std::numeric_limits<S>::min());
    const double error = (actual - expected_).cwiseAbs().maxCoeff();
    return std::isfinite(error) && error <= relative_ * scale;
  }

  std::string describe() const override {
    std::ostringstream out;
    out << "is within relative error " << relative_ << " (max norm) of\n" << expected_;
    return out.str();
  }
};

template <class Derived>
close_to<typename Derived::Scalar> is_close_to(const Eigen::MatrixBase<Derived>& expected,
                                               double relative) {
  return {expected.eval(), relative};
}

// The tolerance the tests use against finite differences in double.
inline constexpr double fd_tolerance = 1e-6;

// Checks a gradient program's result for every parameter of `model`
// against central differences of `f` (usually an evaluate program of the
// same loss).
template <class Gradients, class Model, class F>
void check_parameters_against_fd(const Gradients& g, Model& model, F&& f) {
  model.for_each_parameter([&](auto& p) {
    INFO("parameter " << p.name());
    const auto numeric = numeric_gradient(f, p.value);
    // A zero gradient would make the comparison meaningless.
    CHECK(numeric.cwiseAbs().maxCoeff() > 1e-6);
    CHECK_THAT(g[p], is_close_to(numeric, fd_tolerance));
  });
}

}  // namespace tapeless_test
