#pragma once

#include <string>

#include <Eigen/Core>

#include <tapeless/checks.hpp>
#include <tapeless/node/input.hpp>
#include <tapeless/node/shape.hpp>

namespace tapeless {

// Data bound to an input for one run: a column-major block read in place.
template <class Leaf>
struct feed_t {
  using leaf = Leaf;
  const typename Leaf::scalar* data;
  Eigen::Index rows;
  Eigen::Index cols;
};

// Data for an input, for one run of a program: a contiguous column-major
// Eigen matrix (or Map) of the input's scalar type, read in place.
template <class Tag, class S, int F, int B, bool D, class Derived>
requires requires(const Derived& d) { d.data(); }
feed_t<input_leaf<Tag, S, F, B, D>> feed(const input_leaf<Tag, S, F, B, D>&,
                                         const Eigen::DenseBase<Derived>& data) {
  using leaf = input_leaf<Tag, S, F, B, D>;
  constexpr bool ok =
      check::all(check::feed_scalar_matches<leaf, typename Derived::Scalar>::check(),
                 check::feed_columns_match<leaf, found<Derived::ColsAtCompileTime>>::check());
  const Derived& d = data.derived();
  if constexpr (!ok) {
    return {nullptr, 0, F};
  } else {
    if (d.cols() != F)
      throw shape_error("tapeless: feed: the data has " + std::to_string(d.cols()) +
                        " columns and the input has " + std::to_string(F) + " features");
    if (B != dynamic && d.rows() != B)
      throw shape_error("tapeless: feed: the data has " + std::to_string(d.rows()) +
                        " rows and the input's batch is " + std::to_string(B));
    const bool contiguous = Derived::IsRowMajor ? (d.rows() <= 1 || d.cols() <= 1)
                                                : (d.innerStride() == 1 &&
                                                   (d.cols() <= 1 || d.outerStride() == d.rows()));
    if (!contiguous)
      throw shape_error("tapeless: feed: the data must be one contiguous column-major block");
    return {d.data(), d.rows(), d.cols()};
  }
}

}  // namespace tapeless
