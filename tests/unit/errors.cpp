// Run-time errors: data of the wrong shape (tl::shape_error) and operands
// whose run-time batch sizes differ (tl::shape_error), each thrown at the
// first call that can know, with a message that says what is wrong. Two
// objects of one model type (tl::identity_error) are identity.cpp's.

#include <stdexcept>

#include <tapeless/tapeless.hpp>

#include "support.hpp"

namespace tl = tapeless;
using Catch::Matchers::Contains;
using namespace tapeless_test;

namespace {

const tl::input<struct x_tag, double, 3> x;
const tl::input<struct x2_tag, double, 3> x2;
const tl::input<struct fixed_tag, double, 3, 4> fixed;

}  // namespace

TEST_CASE("feed: data with the wrong number of columns", "[errors]") {
  const matrix<double> two_columns = pattern(4, 2, 1.0);
  CHECK_THROWS_AS(tl::feed(x, two_columns), tl::shape_error);
  CHECK_THROWS_WITH(tl::feed(x, two_columns), Contains("2 columns") && Contains("3 features"));
  CHECK_THROWS_AS(tl::feed(fixed, two_columns), tl::shape_error);
  // shape_error is an invalid_argument, for callers that catch those.
  CHECK_THROWS_AS(tl::feed(x, two_columns), std::invalid_argument);
}

TEST_CASE("feed: data with the wrong fixed batch", "[errors]") {
  const matrix<double> five_rows = pattern(5, 3, 2.0);
  CHECK_THROWS_AS(tl::feed(fixed, five_rows), tl::shape_error);
  CHECK_THROWS_WITH(tl::feed(fixed, five_rows), Contains("5 rows") && Contains("batch is 4"));
  // The right batch is accepted; a run-time batch accepts any.
  const matrix<double> four_rows = pattern(4, 3, 2.0);
  CHECK_NOTHROW(tl::feed(fixed, four_rows));
  CHECK_NOTHROW(tl::feed(x, five_rows));
}

TEST_CASE("feed: data that is not one contiguous column-major block", "[errors]") {
  // A block of a wider matrix: its columns are 6 apart, not 4.
  const matrix<double> wide = pattern(6, 5, 3.0);
  CHECK_THROWS_AS(tl::feed(x, wide.topLeftCorner(4, 3)), tl::shape_error);
  CHECK_THROWS_WITH(tl::feed(x, wide.topLeftCorner(4, 3)), Contains("contiguous"));
  CHECK_NOTHROW(tl::feed(x, wide.topLeftCorner(6, 3)));  // whole columns are contiguous
}

TEST_CASE("operands whose run-time batches differ", "[errors]") {
  auto diff = tl::evaluate(tl::sum(x - x2));
  const matrix<double> three = pattern(3, 3, 4.0);
  const matrix<double> four = pattern(4, 3, 5.0);
  CHECK_THROWS_AS(diff(tl::feed(x, three), tl::feed(x2, four)), tl::shape_error);
  CHECK_THROWS_WITH(diff(tl::feed(x, three), tl::feed(x2, four)),
                    Contains("operator-") && Contains("batch sizes"));

  // Through a model, and in a gradient program: the same error.
  tl::model<struct m_tag, double, tl::Dense<3, 3, tl::Tanh>> m;
  fill_parameters(m, 6.0);
  auto step = tl::gradient(tl::mse(m(x), x2), m);
  CHECK_THROWS_AS(step(tl::feed(x, four), tl::feed(x2, three)), tl::shape_error);

  // The programs stay usable: with matching batches they compute the right
  // values.
  const matrix<double> other = pattern(3, 3, 7.0);
  CHECK(diff(tl::feed(x, three), tl::feed(x2, other)).loss() ==
        Approx((three - other).sum()).epsilon(1e-12));
  const matrix<double> y =
      ((three * m.layer<0>().weight.value).rowwise() + m.layer<0>().bias.value.row(0))
          .array()
          .tanh();
  CHECK(step(tl::feed(x, three), tl::feed(x2, other)).loss() ==
        Approx((y - other).array().square().mean()).epsilon(1e-12));
}
