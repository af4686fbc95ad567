// Transfer learning: pretrain an encoder with a head on the digits 0-4,
// save it, load it into a frozen copy, and train a new head on the digits
// 5-9 on top of it. The new head's gradient program differentiates the head
// only: the reverse sweep stops at the frozen encoder, so its step costs
// less than a joint step, which the example measures. A gradient request
// for the frozen encoder would not compile ("frozen").
//
//   transfer [--epochs N] [--expect ACCURACY]
//
// Data: examples/data/digits.csv.gz (attribution in examples/data/README.md).

#include <cstdio>
#include <filesystem>

#include <tapeless/io/checkpoint.hpp>
#include <tapeless/tapeless.hpp>

#include "datasets.hpp"

namespace tl = tapeless;
using examples::matrix;

using encoder_t = tl::model<struct encoder, float, tl::Dense<64, 256, tl::ReLU>>;
using old_head_t = tl::model<struct old_head, float, tl::Dense<256, 5>>;
using new_head_t = tl::model<struct new_head, float, tl::Dense<256, 5>>;

// The rows of a split whose label is in [first, first + 5), with labels
// and one-hot targets renumbered 0-4.
struct five_classes {
  matrix x, t;
  std::vector<int> labels;
};
five_classes select(const matrix& x, const std::vector<int>& labels, int first) {
  five_classes out;
  std::vector<Eigen::Index> rows;
  for (std::size_t i = 0; i < labels.size(); ++i)
    if (labels[i] >= first && labels[i] < first + 5) rows.push_back(Eigen::Index(i));
  out.x.resize(Eigen::Index(rows.size()), x.cols());
  out.t = matrix::Zero(Eigen::Index(rows.size()), 5);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    out.x.row(Eigen::Index(r)) = x.row(rows[r]);
    out.labels.push_back(labels[std::size_t(rows[r])] - first);
    out.t(Eigen::Index(r), out.labels.back()) = 1;
  }
  return out;
}

int main(int argc, char** argv) {
  const auto opt = examples::parse(argc, argv, {.epochs = 20, .expect = 0.95});
  const auto split = examples::digits_split();
  const auto low_train = select(split.train_x, split.train_labels, 0);
  const auto high_train = select(split.train_x, split.train_labels, 5);
  const auto high_test = select(split.test_x, split.test_labels, 5);

  const tl::input<struct pixels, float, 64> x;
  const tl::input<struct target, float, 5> t;
  tl::random_engine rng(11);

  // 1. Pretrain encoder and a head on the digits 0-4; save the encoder.
  const auto checkpoint = std::filesystem::temp_directory_path() / "tapeless_encoder.tlck";
  {
    encoder_t encoder;
    old_head_t head;
    tl::initialize(encoder, rng);
    tl::initialize(head, rng);
    auto step = tl::gradient(tl::softmax_cross_entropy(head(encoder(x)), t), encoder, head);
    auto adam = tl::make_optimizer(tl::adam{.learning_rate = 0.005}, encoder, head);
    const double s = examples::train(step, adam, x, t, low_train.x, low_train.t, opt.epochs, rng);
    std::printf("pretrained the encoder on %td images of 0-4 in %.3f s\n", low_train.x.rows(), s);
    tl::save(checkpoint, encoder);
  }

  // 2. The same encoder, frozen in its type, from the checkpoint (the
  // parameter names are the trainable encoder's); a new head for 5-9.
  tl::Frozen<encoder_t> encoder;
  tl::load(checkpoint, encoder);
  std::filesystem::remove(checkpoint);
  new_head_t head;
  tl::initialize(head, rng);
  const auto logits = head(encoder(x));
  auto step = tl::gradient(tl::softmax_cross_entropy(logits, t), head);
  static_assert(!decltype(step)::computes_gradient_of<decltype(encoder.layer<0>().weight)>());
  auto adam = tl::make_optimizer(tl::adam{.learning_rate = 0.005}, head);
  const double s = examples::train(step, adam, x, t, high_train.x, high_train.t, opt.epochs, rng);
  auto predict = tl::evaluate(logits);
  const double accuracy =
      examples::accuracy(predict(tl::feed(x, high_test.x)).value(), high_test.labels);
  std::printf("trained a new head on %td images of 5-9 in %.3f s: test accuracy %.2f%%\n",
              high_train.x.rows(), s, 100 * accuracy);

  // 3. What freezing saves: one gradient step of the head alone against a
  // joint step of a trainable encoder and the head, same batch.
  encoder_t trainable;
  trainable.copy_values_from(encoder);
  auto joint = tl::gradient(tl::softmax_cross_entropy(head(trainable(x)), t), trainable, head);
  const auto xb = high_train.x.topRows(32).eval();
  const auto tb = high_train.t.topRows(32).eval();
  auto time_steps = [&](auto& program) {
    const int n = 2000;
    const auto start = examples::clock::now();
    for (int i = 0; i < n; ++i) program(tl::feed(x, xb), tl::feed(t, tb));
    return 1e6 * examples::seconds_since(start) / n;
  };
  const double head_us = time_steps(step), joint_us = time_steps(joint);
  std::printf("gradient step, batch 32: head only %.1f us, encoder and head %.1f us (%.2fx)\n",
              head_us, joint_us, joint_us / head_us);

  if (accuracy < opt.expect) {
    std::printf("FAILED: test accuracy below %.2f%%\n", 100 * opt.expect);
    return 1;
  }
}
