#pragma once

#include <cstddef>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

// An in-memory checkpoint: every tensor of some models (and optimizers),
// copied into storage allocated once, and copied back bit for bit.
//
//   tl::snapshot best(enc, head, adam);   // storage for all their tensors
//   best.capture();                       // values -> snapshot
//   best.restore();                       // snapshot -> values
//
// It takes what tl::save takes (io/checkpoint.hpp): anything with
// for_each_tensor(f). It remembers where each tensor lives, so the objects
// must stay where they are while the snapshot is used (as an optimizer
// needs its models to), and capture and restore then copy without
// allocating. tl::early_stopping and tl::rollback_guard hold one.
namespace tapeless {

namespace detail {

// A visitor that accepts any tensor, to state the requirement below.
struct any_tensor_sink {
  template <class Tensor>
  void operator()(const std::string&, Tensor&&) const {}
};

}  // namespace detail

// What a snapshot copies: a mutable object with for_each_tensor.
template <class T>
concept Snapshottable = !std::is_const_v<T> && requires(T & t, detail::any_tensor_sink v) {
  t.for_each_tensor(v);
};

class snapshot {
  // Where a tensor's elements are, in bytes: element (i, j) is at
  // data + i * row_step + j * col_step.
  struct tensor {
    unsigned char* data;
    Eigen::Index rows, cols;
    std::ptrdiff_t row_step, col_step;
    std::size_t scalar_size;
    std::size_t offset;  // in saved_
    bool contiguous;     // column-major without gaps: one memcpy
  };
  std::vector<tensor> tensors_;
  std::vector<unsigned char> saved_;
  bool captured_ = false;

  template <class Copy>
  void copy_all(Copy copy) {
    for (const tensor& t : tensors_) {
      if (t.rows == 0 || t.cols == 0) continue;  // memcpy wants real pointers, even for 0 bytes
      unsigned char* keep = saved_.data() + t.offset;
      if (t.contiguous) {
        copy(keep, t.data, static_cast<std::size_t>(t.rows * t.cols) * t.scalar_size);
        continue;
      }
      for (Eigen::Index j = 0; j < t.cols; ++j)
        for (Eigen::Index i = 0; i < t.rows; ++i, keep += t.scalar_size)
          copy(keep, t.data + i * t.row_step + j * t.col_step, t.scalar_size);
    }
  }

 public:
  // Records every tensor of the objects and allocates storage for their
  // values. Captures nothing yet.
  template <Snapshottable... Objs>
  explicit snapshot(Objs&... objs) {
    std::size_t size = 0;
    const auto record = [&](const auto&, auto&& m) {
      using M = std::remove_cvref_t<decltype(m)>;
      using S = typename M::Scalar;
      const std::ptrdiff_t inner = m.innerStride(), outer = m.outerStride();
      const std::ptrdiff_t row_step = M::IsRowMajor ? outer : inner;
      const std::ptrdiff_t col_step = M::IsRowMajor ? inner : outer;
      tensors_.push_back(
          {reinterpret_cast<unsigned char*>(m.data()), m.rows(), m.cols(),
           row_step * std::ptrdiff_t{sizeof(S)}, col_step * std::ptrdiff_t{sizeof(S)}, sizeof(S),
           size, (m.rows() <= 1 || row_step == 1) && (m.cols() <= 1 || col_step == m.rows())});
      size += static_cast<std::size_t>(m.size()) * sizeof(S);
    };
    (objs.for_each_tensor(record), ...);
    saved_.resize(size);
  }

  // A copy is a second snapshot of the same objects, with its own storage.

  // Copies the objects' current values in. Allocates nothing.
  void capture() {
    copy_all([](unsigned char* keep, const unsigned char* value, std::size_t n) {
      std::memcpy(keep, value, n);
    });
    captured_ = true;
  }

  // Copies the values of the last capture back into the objects, bit for
  // bit. Allocates nothing. Throws std::logic_error, changing nothing, if
  // nothing was captured yet.
  void restore() {
    if (!captured_)
      throw std::logic_error(
          "tapeless: snapshot: restore before any capture; call capture() first");
    copy_all([](const unsigned char* keep, unsigned char* value, std::size_t n) {
      std::memcpy(value, keep, n);
    });
  }

  bool captured() const { return captured_; }
  // The number of tensors and of bytes the snapshot holds.
  std::size_t tensors() const { return tensors_.size(); }
  std::size_t bytes() const { return saved_.size(); }
};

}  // namespace tapeless
