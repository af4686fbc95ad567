#pragma once

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

// What a checked program (tl::checked, gradient.hpp) throws when a node's
// value or a gradient it sends is not finite, and how the element is found.
namespace tapeless {

// A NaN or an infinity where a checked run found the first one: in the
// value a node computed (or read: fed data, a parameter) in the forward
// pass, or in the gradient a node's pullback sent to one of its operands in
// the reverse pass. A fact of the data, not a mistake in the program, hence
// runtime_error. Nodes are named as in other messages: an op by its name
// ("log", "Dense layer"), a parameter as "parameter enc.layer0.W", an input
// as "input x" (its tag).
struct numeric_error : std::runtime_error {
  enum class sweep { forward, backward };

  sweep pass;
  std::string node;                   // the node that computed it
  std::vector<std::string> operands;  // the node's operands, named the same way
  int operand;                        // backward: the operand whose gradient it is; else -1
  Eigen::Index row, col;  // the first non-finite element in row order (the batch row, for
                          // a node of the batch); of the operand's gradient, backward
  double value;           // that element: NaN, inf or -inf

  numeric_error(sweep pass_, std::string node_, std::vector<std::string> operands_, int operand_,
                Eigen::Index row_, Eigen::Index col_, double value_)
      : std::runtime_error(message(pass_, node_, operands_, operand_, row_, col_, value_)),
        pass(pass_),
        node(std::move(node_)),
        operands(std::move(operands_)),
        operand(operand_),
        row(row_),
        col(col_),
        value(value_) {}

 private:
  static std::string message(sweep pass, const std::string& node,
                             const std::vector<std::string>& operands, int operand,
                             Eigen::Index row, Eigen::Index col, double value) {
    std::string of;
    for (const auto& o : operands) of += (of.empty() ? "" : ", ") + o;
    const std::string what = pass == sweep::forward
                                 ? "the value of " + node + (of.empty() ? "" : " (of " + of + ")")
                                 : "the gradient that " + node + " (of " + of +
                                       ") sends to its operand " + std::to_string(operand) + " (" +
                                       operands[static_cast<std::size_t>(operand)] + ")";
    return "tapeless: checked run, " +
           std::string(pass == sweep::forward ? "forward" : "backward") + " pass: " + what +
           " is " + std::to_string(value) + " at row " + std::to_string(row) + ", column " +
           std::to_string(col) + "; everything computed before it in this pass was finite";
  }
};

namespace detail {

// Whether every element of m is finite: x - x is 0 for a finite x and NaN
// for NaN and the infinities, and a sum of zeros is exactly 0. One
// vectorised pass, where Eigen's allFinite() stops at each element to test
// it (a checked step took 1.6-2x an unchecked one with it, 1.04-1.06x with
// this; bench/README.md). Like allFinite, it needs IEEE arithmetic: under
// -ffinite-math-only the compiler may take x - x for 0.
template <class M>
bool all_finite(const M& m) {
  return (m.array() - m.array()).sum() == 0;
}

// Throws numeric_error for m's first non-finite element, row by row: the
// first example of a batch that has one. Cold: only the failing run gets
// here, and the names are made only then.
template <class M, class Names>
[[noreturn, gnu::noinline, gnu::cold]] void throw_numeric_error(numeric_error::sweep pass,
                                                                Names names, int operand,
                                                                const M& m) {
  Eigen::Index r = 0, c = 0;  // m has a non-finite element: the caller has seen it
  while (std::isfinite(m(r, c)))
    if (++c == m.cols()) c = 0, ++r;
  auto [node, operands] = names();
  throw numeric_error(pass, std::move(node), std::move(operands), operand, r, c,
                      static_cast<double>(m(r, c)));
}

}  // namespace detail
}  // namespace tapeless
