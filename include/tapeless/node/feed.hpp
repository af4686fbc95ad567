#pragma once

#include <string>
#include <type_traits>

#include <Eigen/Core>

#include <tapeless/checks.hpp>
#include <tapeless/detail/type_name.hpp>
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

// The input's name in run-time messages: its tag, "images" for
// `input<struct images, float, 64>`.
template <class Leaf>
std::string input_name() {
  return "input " + std::string(detail::type_name<typename Leaf::tag>());
}

// Data for an input, for one run of a program: an Eigen matrix, Map or
// block of the input's scalar type, one row per example, contiguous and
// column-major, read in place when the program runs. So it must be stored
// and outlive the run: an Eigen expression (`2 * X`, no storage) and a
// temporary matrix (`Eigen::MatrixXf(2 * X)`, gone by then) are compile
// errors; a temporary Map or block is a view, and fine.
template <class Tag, class S, int F, int B, bool D, class Data>
requires std::is_base_of_v<Eigen::EigenBase<std::remove_cvref_t<Data>>, std::remove_cvref_t<Data>>
    feed_t<input_leaf<Tag, S, F, B, D>> feed(const input_leaf<Tag, S, F, B, D>&, Data&& data) {
  using leaf = input_leaf<Tag, S, F, B, D>;
  using Derived = std::remove_cvref_t<Data>;
  constexpr bool stored = requires(const Derived& d) { d.data(); };
  constexpr bool temporary = std::is_rvalue_reference_v<Data&&> &&
                             std::is_base_of_v<Eigen::PlainObjectBase<Derived>, Derived>;
  if constexpr (!check::feed_data_is_stored<leaf, Derived, stored>::check()) {
    return {nullptr, 0, F};
  } else if constexpr (!check::all(
                           check::feed_data_outlives_the_run<leaf, Derived, !temporary>::check(),
                           check::feed_scalar_matches<leaf, typename Derived::Scalar>::check(),
                           check::feed_columns_match<leaf,
                                                     found<Derived::ColsAtCompileTime>>::check())) {
    return {nullptr, 0, F};
  } else {
    const Derived& d = data;
    // Formatted only on the way to an error: a feed is made at every run.
    const auto sizes = [&] { return std::to_string(d.rows()) + " x " + std::to_string(d.cols()); };
    if (d.cols() != F)
      throw shape_error("tapeless: feed: " + input_name<leaf>() + " has " + std::to_string(F) +
                        " features (columns) and the data " + sizes() +
                        "; give one column per feature");
    if (B != dynamic && d.rows() != B)
      throw shape_error("tapeless: feed: " + input_name<leaf>() + " has a fixed batch of " +
                        std::to_string(B) + " rows and the data " + sizes() +
                        "; feed that many rows, or declare the batch tl::dynamic");
    if (d.rows() == 0)
      throw shape_error("tapeless: feed: the data for " + input_name<leaf>() + " is " + sizes() +
                        ": a batch needs at least one row");
    const bool contiguous = Derived::IsRowMajor ? (d.rows() <= 1 || d.cols() <= 1)
                                                : (d.innerStride() == 1 &&
                                                   (d.cols() <= 1 || d.outerStride() == d.rows()));
    if (!contiguous)
      throw shape_error("tapeless: feed: the data for " + input_name<leaf>() + " (" + sizes() +
                        ") is not one contiguous column-major block (" +
                        (Derived::IsRowMajor ? "row-major" : "a strided block") +
                        "); copy it into an Eigen::Matrix of the input's scalar type first");
    return {d.data(), d.rows(), d.cols()};
  }
}

}  // namespace tapeless
