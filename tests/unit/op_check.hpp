#pragma once

// The law every op obeys, checked one op at a time: the gradient a program
// computes equals central finite differences of the same loss (checked
// with tl::check_gradients, as users check theirs), and the value equals
// the op's maths written out with Eigen.

#include <array>
#include <cmath>
#include <cstddef>
#include <tuple>
#include <utility>

#include <tapeless/inspect/check_gradients.hpp>
#include <tapeless/tapeless.hpp>

#include "support.hpp"

namespace tapeless_test {

namespace tl = tapeless;

// The operands of the op under test: differentiable inputs of 3 features
// and a run-time batch, one tag per position, shared by every check in a
// file so that only the op differs between instantiations.
template <std::size_t I>
struct operand_tag {};
template <std::size_t I>
using operand = tl::variable<operand_tag<I>, double, 3>;
struct weights_tag {};

// `op(a, b, ...)` builds the expression under test from the operands;
// `reference(A, B, ...)` computes its value from the data with Eigen.
// The loss is sum(w * op(...)) with data w, so that the upstream gradient
// reaching the op differs in every element: a pullback that ignored it, or
// mixed up elements, would not match. For an op with a 1x1 result, w is 1x1.
template <class Op, class Reference, std::size_t... I>
void check_op_impl(std::index_sequence<I...>, Op op, Reference reference,
                   std::array<matrix<double>, sizeof...(I)> data) {
  const auto out = op(operand<I>{}...);
  using Out = decltype(out);
  const tl::input<weights_tag, double, Out::cols> w;
  const auto loss = tl::sum(w * out);

  const Eigen::Index batch = data[0].rows();
  matrix<double> W = pattern(Out::rows == 1 ? 1 : batch, Out::cols, 11.0);

  auto step = tl::gradient(loss, operand<I>{}...);
  const auto& g = step(tl::feed(operand<I>{}, data[I])..., tl::feed(w, W));

  const matrix<double> expected = reference(data[I]...);
  CHECK(g.loss() == Approx((W.array() * expected.array()).sum()).epsilon(1e-12));

  // The gradient of every operand against finite differences: the checker
  // users have (tl::check_gradients).
  const std::tuple<operand<I>...> operands;
  const auto report = tl::check_gradients(loss, tl::wrt(std::get<I>(operands)...),
                                          tl::feed(operand<I>{}, data[I])..., tl::feed(w, W));
  INFO(report.text());
  CHECK(report.passed());
  (
      [&] {
        INFO("operand " << I);
        // A zero gradient would make the comparison prove little.
        CHECK(std::abs(report.entries[I].numeric) > 1e-3);
        CHECK(g[operand<I>{}].cwiseAbs().maxCoeff() > 1e-3);
      }(),
      ...);
}

template <class Op, class Reference, class... Data>
void check_op(Op op, Reference reference, const Data&... data) {
  check_op_impl(std::index_sequence_for<Data...>{}, op, reference,
                std::array<matrix<double>, sizeof...(Data)>{matrix<double>(data)...});
}

}  // namespace tapeless_test
