// Gradients and values of the arithmetic ops: + - * (elementwise), scaling
// by a number on either side, division by a number and negation.

#include "op_check.hpp"

namespace tl = tapeless;
using namespace tapeless_test;

namespace {

// A batch of 4 rows; two operands with different values.
const matrix<double> A = pattern(4, 3, 1.0);
const matrix<double> B = pattern(4, 3, 2.0);

}  // namespace

TEST_CASE("a + b: value and gradient", "[ops]") {
  check_op([](auto a, auto b) { return a + b; },
           [](const matrix<double>& a, const matrix<double>& b) -> matrix<double> { return a + b; },
           A, B);
}

TEST_CASE("a - b: value and gradient", "[ops]") {
  check_op([](auto a, auto b) { return a - b; },
           [](const matrix<double>& a, const matrix<double>& b) -> matrix<double> { return a - b; },
           A, B);
}

TEST_CASE("a * b (elementwise): value and gradient", "[ops]") {
  check_op([](auto a, auto b) { return a * b; },
           [](const matrix<double>& a, const matrix<double>& b) -> matrix<double> {
             return a.cwiseProduct(b);
           },
           A, B);
}

TEST_CASE("a * a, one operand used twice by one op: value and gradient", "[ops][sharing]") {
  // Both pullbacks land in the same adjoint: d/da = 2 a g, not a g.
  check_op([](auto a) { return a * a; },
           [](const matrix<double>& a) -> matrix<double> { return a.cwiseProduct(a); }, A);
}

TEST_CASE("number * e and e * number: value and gradient", "[ops]") {
  // An int, converted to the expression's scalar.
  check_op([](auto a) { return 3 * a; },
           [](const matrix<double>& a) -> matrix<double> { return 3.0 * a; }, A);
  check_op([](auto a) { return a * -0.25; },
           [](const matrix<double>& a) -> matrix<double> { return -0.25 * a; }, A);
}

TEST_CASE("e / number: value and gradient", "[ops]") {
  check_op([](auto a) { return a / 4.0; },
           [](const matrix<double>& a) -> matrix<double> { return a / 4.0; }, A);
}

TEST_CASE("-e: value and gradient", "[ops]") {
  check_op([](auto a) { return -a; }, [](const matrix<double>& a) -> matrix<double> { return -a; },
           A);
}

TEST_CASE("a scaled sum of several ops: value and gradient", "[ops]") {
  // The same ops composed, so that each pullback receives an upstream
  // gradient that is itself the result of other pullbacks.
  check_op([](auto a, auto b) { return 2 * (a - b) * (a + b) - b / 3; },
           [](const matrix<double>& a, const matrix<double>& b) -> matrix<double> {
             return 2.0 * (a - b).cwiseProduct(a + b) - b / 3.0;
           },
           A, B);
}
