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
  // The input by name, the expected and the found sizes, and the fix.
  CHECK_THROWS_WITH(tl::feed(x, two_columns), Contains("input x_tag") && Contains("3 features") &&
                                                  Contains("4 x 2") && Contains("one column per"));
  CHECK_THROWS_AS(tl::feed(fixed, two_columns), tl::shape_error);
  // shape_error is an invalid_argument, for callers that catch those.
  CHECK_THROWS_AS(tl::feed(x, two_columns), std::invalid_argument);
}

TEST_CASE("feed: data with the wrong fixed batch", "[errors]") {
  const matrix<double> five_rows = pattern(5, 3, 2.0);
  CHECK_THROWS_AS(tl::feed(fixed, five_rows), tl::shape_error);
  CHECK_THROWS_WITH(tl::feed(fixed, five_rows), Contains("input fixed_tag") &&
                                                    Contains("fixed batch of 4") &&
                                                    Contains("5 x 3") && Contains("tl::dynamic"));
  // The right batch is accepted; a run-time batch accepts any.
  const matrix<double> four_rows = pattern(4, 3, 2.0);
  CHECK_NOTHROW(tl::feed(fixed, four_rows));
  CHECK_NOTHROW(tl::feed(x, five_rows));
}

TEST_CASE("feed: data that is not one contiguous column-major block", "[errors]") {
  // A block of a wider matrix: its columns are 6 apart, not 4.
  const matrix<double> wide = pattern(6, 5, 3.0);
  CHECK_THROWS_AS(tl::feed(x, wide.topLeftCorner(4, 3)), tl::shape_error);
  CHECK_THROWS_WITH(tl::feed(x, wide.topLeftCorner(4, 3)),
                    Contains("input x_tag") && Contains("4 x 3") && Contains("contiguous") &&
                        Contains("strided") && Contains("copy it"));
  const Eigen::Matrix<double, Eigen::Dynamic, 3, Eigen::RowMajor> row_major = pattern(4, 3, 1.0);
  CHECK_THROWS_WITH(tl::feed(x, row_major), Contains("row-major") && Contains("copy it"));
  CHECK_NOTHROW(tl::feed(x, wide.topLeftCorner(6, 3)));  // whole columns are contiguous
}

TEST_CASE("operands whose run-time batches differ", "[errors]") {
  auto diff = tl::evaluate(tl::sum(x - x2));
  const matrix<double> three = pattern(3, 3, 4.0);
  const matrix<double> four = pattern(4, 3, 5.0);
  CHECK_THROWS_AS(diff(tl::feed(x, three), tl::feed(x2, four)), tl::shape_error);
  CHECK_THROWS_WITH(diff(tl::feed(x, three), tl::feed(x2, four)),
                    Contains("operator-") && Contains("batch sizes") && Contains("3 and 4"));

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

TEST_CASE("an empty batch is refused at the feed, whatever the loss", "[errors]") {
  // It used to reach the ops: mean divided by zero rows (a crash in a
  // Release build), mse and the cross-entropy gave NaN, sum gave 0.
  const matrix<double> empty(0, 3);
  CHECK_THROWS_AS(tl::feed(x, empty), tl::shape_error);
  CHECK_THROWS_WITH(tl::feed(x, empty),
                    Contains("input x_tag") && Contains("0 x 3") && Contains("at least one row"));
  tl::model<struct m_tag, double, tl::Dense<3, 3>> m;
  auto mean = tl::gradient(tl::mean(m(x)), m);
  auto mse = tl::gradient(tl::mse(m(x), x2), m);
  auto sce = tl::gradient(tl::softmax_cross_entropy(m(x), x2), m);
  auto sum = tl::evaluate(tl::sum(x));
  CHECK_THROWS_AS(mean(tl::feed(x, empty)), tl::shape_error);
  CHECK_THROWS_AS(mse(tl::feed(x, empty), tl::feed(x2, empty)), tl::shape_error);
  CHECK_THROWS_AS(sce(tl::feed(x, empty), tl::feed(x2, empty)), tl::shape_error);
  CHECK_THROWS_AS(sum(tl::feed(x, empty)), tl::shape_error);
}
