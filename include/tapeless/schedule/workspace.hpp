#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

#include <tapeless/kernels/storage.hpp>

namespace tapeless::schedule {

struct nothing {};

// A matrix whose row count is the run's batch. It is a view (an Eigen Map,
// so ops write into it as into a matrix) of the first rows x C elements of a
// buffer that grows to the largest batch seen, or reserved, and never
// shrinks: a run with a smaller batch than an earlier one allocates nothing.
// Copies copy the values and view their own buffer.
template <class S, int C>
class batch_matrix : public Eigen::Map<Eigen::Matrix<S, Eigen::Dynamic, C>, Eigen::AlignedMax> {
  using view = Eigen::Map<Eigen::Matrix<S, Eigen::Dynamic, C>, Eigen::AlignedMax>;
  Eigen::Matrix<S, Eigen::Dynamic, 1> buffer_;

  void view_rows(Eigen::Index rows) {
    // Eigen's documented way to point a Map elsewhere.
    new (static_cast<view*>(this)) view(buffer_.data(), rows, C);
  }

 public:
  batch_matrix() : view(nullptr, 0, C) {}
  batch_matrix(const batch_matrix& other) : view(nullptr, 0, C), buffer_(other.buffer_) {
    view_rows(other.rows());
  }
  batch_matrix(batch_matrix&& other) noexcept
      : view(nullptr, 0, C), buffer_(std::move(other.buffer_)) {
    view_rows(other.rows());
    other.view_rows(0);
  }
  batch_matrix& operator=(const batch_matrix& other) {
    if (this != &other) {
      buffer_ = other.buffer_;
      view_rows(other.rows());
    }
    return *this;
  }
  batch_matrix& operator=(batch_matrix&& other) noexcept {
    if (this != &other) {
      buffer_ = std::move(other.buffer_);
      view_rows(other.rows());
      other.view_rows(0);
    }
    return *this;
  }
  // Assigning an Eigen expression writes into the view (of the same size).
  using view::operator=;

  // `rows` rows; allocates only past the largest size so far. The values are
  // unspecified afterwards.
  void resize(Eigen::Index rows) {
    reserve(rows);
    view_rows(rows);
  }
  // Room for `rows` rows without allocating later; the current rows'
  // values are lost if this allocates.
  void reserve(Eigen::Index rows) {
    if (rows * C > buffer_.size()) {
      const Eigen::Index current = this->rows();
      buffer_.resize(rows * C);
      view_rows(current);
    }
  }
  Eigen::Index capacity() const { return buffer_.size() / C; }
};

// The storage of a node's value or adjoint: a batch_matrix if its row count
// is the batch, otherwise kernels::matrix (fixed-size, or allocated once for
// the program).
template <class S, int R, int C>
using slot_matrix = std::conditional_t<R == dynamic, batch_matrix<S, C>, kernels::matrix<S, R, C>>;

// Gives m `r` rows, allocating only where it must (a batch_matrix past its
// largest size, a matrix whose fixed size is allocated: once).
template <class M>
void set_rows(M& m, Eigen::Index r) {
  if (m.rows() == r) return;
  if constexpr (requires { m.capacity(); })
    m.resize(r);
  else
    m.resize(r, M::ColsAtCompileTime);
}

// The storage of one distinct node for one program: its value if it computes
// one (leaves read their parameter or feed in place, stop_gradient reads its
// operand's), its adjoint if the reverse sweep needs it, the data pointer if
// it is an input, and its run-time row count. Fixed shapes make all of it
// part of the program object: nothing is allocated when the program runs.
template <class S, int R, int C, bool Value, bool Adjoint, bool Fed>
struct slot {
  using matrix = slot_matrix<S, R, C>;
  [[no_unique_address]] std::conditional_t<Value, matrix, nothing> value;
  [[no_unique_address]] std::conditional_t<Adjoint, matrix, nothing> adjoint;
  [[no_unique_address]] std::conditional_t<Fed, const S*, nothing> data{};
  Eigen::Index rows = R == dynamic ? 0 : R;

  // Sizes the owned matrices for `r` rows; allocates only when a batch
  // grows past the largest so far (or for a fixed shape, once).
  void resize(Eigen::Index r) {
    rows = r;
    if constexpr (Value) set_rows(value, r);
    if constexpr (Adjoint) set_rows(adjoint, r);
  }
  // Room for a batch of `r` rows.
  void reserve(Eigen::Index r) {
    if constexpr (R == dynamic && Value) value.reserve(r);
    if constexpr (R == dynamic && Adjoint) adjoint.reserve(r);
  }
};

// A program's storage, one element per distinct node: a flat aggregate with
// one base per element, read by a qualified `schedule::element<I>`. Not
// std::tuple: its recursive layout and constrained constructors cost the
// compiler time that grows with the square of the element count, and the
// programs of gradient expressions (tl::grad, tl::hvp) have hundreds of
// nodes (g++ 12: 320 elements 18 s for the tuple alone, here constant).
template <std::size_t I, class T>
struct cell {
  [[no_unique_address]] T value;
};
template <class Seq, class... T>
struct cells;
template <std::size_t... I, class... T>
struct cells<std::index_sequence<I...>, T...> : cell<I, T>... {};
template <class... T>
using storage = cells<std::index_sequence_for<T...>, T...>;

template <std::size_t I, class T>
constexpr T& element(cell<I, T>& c) {
  return c.value;
}
template <std::size_t I, class T>
constexpr const T& element(const cell<I, T>& c) {
  return c.value;
}

}  // namespace tapeless::schedule
