#pragma once

// What the examples on examples/data share: where the data lives, seeded
// permutations and train/test splits, and accuracy of logits against labels.

#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <vector>

#include <Eigen/Core>

#include <tapeless/gradient.hpp>
#include <tapeless/io/csv.hpp>
#include <tapeless/train/batches.hpp>
#include <tapeless/train/random.hpp>

#include "options.hpp"

namespace examples {

namespace tl = tapeless;

using matrix = Eigen::MatrixXf;

// The example's data file: examples/data/<name>, found through the path the
// build compiled in, or the TAPELESS_DATA environment variable.
inline std::filesystem::path data_file(const char* name) {
  if (const char* dir = std::getenv("TAPELESS_DATA")) return std::filesystem::path(dir) / name;
  return std::filesystem::path(TAPELESS_EXAMPLE_DATA) / name;
}

// A labelled data set cut in two by a seeded permutation: the first
// `train_fraction` of the shuffled rows train, the rest test. The seed
// fixes the split, so every run sees the same one.
struct split {
  matrix train_x, test_x, train_t, test_t;
  std::vector<int> train_labels, test_labels;
};

// 0 .. n-1 in an order fixed by the seed.
inline std::vector<Eigen::Index> permutation(Eigen::Index n, std::uint64_t seed) {
  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  tl::random_engine rng(seed);
  rng.shuffle(order.begin(), order.end());
  return order;
}

inline split split_rows(const tl::io::labelled_data<float>& data, double train_fraction,
                        std::uint64_t seed) {
  const auto order = permutation(data.features.rows(), seed);
  const auto n_train =
      static_cast<Eigen::Index>(train_fraction * static_cast<double>(order.size()));
  const matrix one_hot = data.one_hot();
  split s;
  auto take = [&](Eigen::Index first, Eigen::Index n, matrix& x, matrix& t, std::vector<int>& l) {
    x.resize(n, data.features.cols());
    t.resize(n, one_hot.cols());
    for (Eigen::Index i = 0; i < n; ++i) {
      const auto row = order[static_cast<std::size_t>(first + i)];
      x.row(i) = data.features.row(row);
      t.row(i) = one_hot.row(row);
      l.push_back(data.labels[static_cast<std::size_t>(row)]);
    }
  };
  take(0, n_train, s.train_x, s.train_t, s.train_labels);
  take(n_train, data.features.rows() - n_train, s.test_x, s.test_t, s.test_labels);
  return s;
}

// The 8x8 digits (examples/data/digits.csv.gz), pixels scaled from 0..16 to
// 0..1, cut 80/20 by the examples' fixed seed.
inline split digits_split() {
  auto data = tl::io::read_labelled_csv<float>(data_file("digits.csv.gz"), {.classes = 10});
  data.features /= 16.0f;
  return split_rows(data, 0.8, /*seed=*/2026);
}

// Trains for `epochs` over (X, T) in shuffled mini-batches of 32, each fed
// to the inputs x and t of the gradient program `step` and applied by
// `opt`; returns the seconds spent in gradient steps.
template <class Step, class Optimizer, class XIn, class TIn>
double train(Step& step, Optimizer& opt, const XIn& x, const TIn& t, const matrix& X,
             const matrix& T, int epochs, tl::random_engine& rng) {
  tl::batches batches(X.rows(), 32);
  tl::batch_buffer<float> xb(32, X.cols()), tb(32, T.cols());
  const auto start = clock::now();
  for (int epoch = 0; epoch < epochs; ++epoch) {
    batches.shuffle(rng);
    for (Eigen::Index b = 0; b < batches.count(); ++b)
      opt.step(step(tl::feed(x, xb.gather(X, batches[b])), tl::feed(t, tb.gather(T, batches[b]))));
  }
  return seconds_since(start);
}

// The fraction of rows whose largest logit is at the label's column.
template <class Logits>
double accuracy(const Logits& logits, const std::vector<int>& labels) {
  std::size_t right = 0;
  for (Eigen::Index r = 0; r < logits.rows(); ++r) {
    Eigen::Index best;
    logits.row(r).maxCoeff(&best);
    right += best == labels[static_cast<std::size_t>(r)];
  }
  return static_cast<double>(right) / static_cast<double>(labels.size());
}

}  // namespace examples
