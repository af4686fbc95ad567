#pragma once

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <tapeless/train/random.hpp>

// Mini-batches: an epoch's sample order, reshuffled from the seeded engine,
// cut into batches of a run-time size (the last one may be smaller), and a
// buffer that gathers a batch's rows without allocating.
namespace tapeless {

class batches {
  std::vector<Eigen::Index> order_;
  Eigen::Index size_;

 public:
  // Batches of `batch_size` rows over samples 0 .. samples - 1, in order
  // until shuffle() is called.
  batches(Eigen::Index samples, Eigen::Index batch_size)
      : order_(static_cast<std::size_t>(samples)), size_(batch_size) {
    if (samples <= 0 || batch_size <= 0)
      throw std::invalid_argument("tapeless: batches: " + std::to_string(samples) +
                                  " samples in batches of " + std::to_string(batch_size) +
                                  "; both must be positive");
    std::iota(order_.begin(), order_.end(), Eigen::Index{0});
  }

  // A new order for the next epoch. Shuffling the current order (not the
  // identity) keeps each epoch's order a function of the seed and the epoch.
  void shuffle(random_engine& rng) { rng.shuffle(order_.begin(), order_.end()); }

  Eigen::Index samples() const { return static_cast<Eigen::Index>(order_.size()); }
  Eigen::Index batch_size() const { return size_; }
  Eigen::Index count() const { return (samples() + size_ - 1) / size_; }

  // The rows of batch b (0 <= b < count()).
  std::span<const Eigen::Index> operator[](Eigen::Index b) const {
    const Eigen::Index first = b * size_;
    const Eigen::Index n = std::min(size_, samples() - first);
    return {order_.data() + first, static_cast<std::size_t>(n)};
  }
};

// Storage for one batch of rows of a data set, sized once for the largest
// batch. gather() copies the chosen rows and returns them as a contiguous
// column-major matrix, ready for tl::feed; a smaller last batch reuses the
// same storage.
template <class S>
class batch_buffer {
  std::vector<S> storage_;
  Eigen::Index capacity_;
  Eigen::Index cols_;

 public:
  using view = Eigen::Map<const Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>>;

  batch_buffer(Eigen::Index max_rows, Eigen::Index cols)
      : storage_(static_cast<std::size_t>(max_rows * cols)), capacity_(max_rows), cols_(cols) {}

  template <class Derived>
  view gather(const Eigen::DenseBase<Derived>& data, std::span<const Eigen::Index> rows) {
    const auto n = static_cast<Eigen::Index>(rows.size());
    if (n > capacity_ || data.cols() != cols_)
      throw std::invalid_argument("tapeless: batch_buffer: " + std::to_string(n) + " rows of " +
                                  std::to_string(data.cols()) + " columns do not fit " +
                                  std::to_string(capacity_) + " of " + std::to_string(cols_));
    Eigen::Map<Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>> out(storage_.data(), n, cols_);
    for (Eigen::Index j = 0; j < cols_; ++j)
      for (Eigen::Index i = 0; i < n; ++i) out(i, j) = data(rows[static_cast<std::size_t>(i)], j);
    return {storage_.data(), n, cols_};
  }
};

}  // namespace tapeless
