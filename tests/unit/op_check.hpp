#pragma once

// The law every op obeys, checked one op at a time: the gradient a program
// computes equals central finite differences of the same loss, and the
// value equals the op's maths written out with Eigen.

#include <array>
#include <cstddef>
#include <utility>

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
  auto value = tl::evaluate(loss);
  const auto& g = step(tl::feed(operand<I>{}, data[I])..., tl::feed(w, W));

  const matrix<double> expected = reference(data[I]...);
  CHECK(g.loss() == Approx((W.array() * expected.array()).sum()).epsilon(1e-12));

  auto f = [&] { return value(tl::feed(operand<I>{}, data[I])..., tl::feed(w, W)).loss(); };
  (
      [&] {
        INFO("operand " << I);
        const auto numeric = numeric_gradient(f, data[I]);
        CHECK(numeric.cwiseAbs().maxCoeff() > 1e-3);  // else the comparison proves little
        CHECK_THAT(g[operand<I>{}], is_close_to(numeric, fd_tolerance));
      }(),
      ...);
}

template <class Op, class Reference, class... Data>
void check_op(Op op, Reference reference, const Data&... data) {
  check_op_impl(std::index_sequence_for<Data...>{}, op, reference,
                std::array<matrix<double>, sizeof...(Data)>{matrix<double>(data)...});
}

}  // namespace tapeless_test
