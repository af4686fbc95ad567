#pragma once

#include <Eigen/Core>

namespace tapeless {

// The extent of a dimension known only at run time (the batch, usually).
inline constexpr int dynamic = Eigen::Dynamic;

namespace kernels {

// Fixed-size Eigen storage lives inside its owner (no heap at all); past this
// size an owner on the stack would risk overflow and Eigen refuses fixed
// objects over EIGEN_STACK_ALLOCATION_LIMIT, so larger blocks are allocated
// once, when their owner is built, and never again while the size holds.
inline constexpr long fixed_storage_limit_bytes = 16 * 1024;

template <class S, int R, int C>
inline constexpr bool fits_fixed =
    R != dynamic&& C !=
    dynamic&& static_cast<long>(R) * C* static_cast<long>(sizeof(S)) <= fixed_storage_limit_bytes;

// Column-major, like Eigen's default, so that data users already hold in
// Eigen matrices is read in place.
// Only the row count goes dynamic: the column count (features) stays known to
// Eigen, which keeps its kernels specialised on it.
template <class S, int R, int C>
using matrix = Eigen::Matrix<S, fits_fixed<S, R, C> ? R : dynamic, C>;

// A matrix of the given shape, allocated if it is dynamic; `rows` is used only
// where R is dynamic.
template <class S, int R, int C>
matrix<S, R, C> make_matrix(Eigen::Index rows = R) {
  matrix<S, R, C> m;
  if constexpr (!fits_fixed<S, R, C>) m.resize(R == dynamic ? rows : R, C);
  return m;
}

}  // namespace kernels
}  // namespace tapeless
