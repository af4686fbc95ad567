#pragma once

#include <type_traits>

#include <tapeless/kernels/storage.hpp>

namespace tapeless::schedule {

struct nothing {};

// The storage of one distinct node for one program: its value if it computes
// one (leaves read their parameter or feed in place, stop_gradient reads its
// operand's), its adjoint if the reverse sweep needs it, the data pointer if
// it is an input, and its run-time row count. Fixed shapes make all of it
// part of the program object: nothing is allocated when the program runs.
template <class S, int R, int C, bool Value, bool Adjoint, bool Fed>
struct slot {
  using matrix = kernels::matrix<S, R, C>;
  [[no_unique_address]] std::conditional_t<Value, matrix, nothing> value;
  [[no_unique_address]] std::conditional_t<Adjoint, matrix, nothing> adjoint;
  [[no_unique_address]] std::conditional_t<Fed, const S*, nothing> data{};
  Eigen::Index rows = R == dynamic ? 0 : R;

  // Sizes the owned matrices for `r` rows; allocates only when a dynamic
  // size changes.
  void resize(Eigen::Index r) {
    rows = r;
    if constexpr (Value)
      if (value.rows() != r) value.resize(r, C);
    if constexpr (Adjoint)
      if (adjoint.rows() != r) adjoint.resize(r, C);
  }
};

}  // namespace tapeless::schedule
