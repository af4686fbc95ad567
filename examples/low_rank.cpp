// Low-rank adaptation: a trained digits encoder is frozen, and its weight is
// used as W_base + A B, where A (64 x 8) and B (8 x 256) are the small
// trainable parameters of another model, the adapter. Fine-tuned with the
// head on a shifted task (the same digits with their pixels inverted), the
// adapter recovers the accuracy the shift took away, and W_base ends bit for
// bit as it was: the gradient reaches A and B through the computed weight,
// and a frozen parameter is never differentiated.
//
//   low_rank [--epochs N] [--expect ACCURACY]   (accuracy on inverted digits)
//
// Data: examples/data/digits.csv.gz (attribution in examples/data/README.md).

#include <cstdio>

#include <tapeless/tapeless.hpp>

#include "datasets.hpp"

namespace tl = tapeless;
using examples::matrix;

using encoder_t = tl::model<struct encoder, float, tl::Dense<64, 256, tl::ReLU>>;
using head_t = tl::model<struct head, float, tl::Dense<256, 10>>;
// The adapter's factors are held as the weights of two Dense layers (their
// biases are not used): A = layer 0's weight, B = layer 1's.
constexpr int rank = 8;
using adapter_t = tl::model<struct adapter, float, tl::Dense<64, rank>, tl::Dense<rank, 256>>;

int main(int argc, char** argv) {
  const auto opt = examples::parse(argc, argv, {.epochs = 15, .expect = 0.93});
  const auto split = examples::digits_split();
  // The shifted task: every pixel p becomes 1 - p.
  const matrix inverted_train = 1.0f - split.train_x.array();
  const matrix inverted_test = 1.0f - split.test_x.array();

  const tl::input<struct pixels, float, 64> x;
  const tl::input<struct target, float, 10> t;
  tl::random_engine rng(5);

  // 1. Train encoder and head on the digits as they are.
  encoder_t encoder;
  head_t head;
  tl::initialize(encoder, rng);
  tl::initialize(head, rng);
  {
    auto step = tl::gradient(tl::softmax_cross_entropy(head(encoder(x)), t), encoder, head);
    auto adam = tl::make_optimizer(tl::adam{.learning_rate = 0.005}, encoder, head);
    examples::train(step, adam, x, t, split.train_x, split.train_t, opt.epochs, rng);
  }
  auto plain = tl::evaluate(head(encoder(x)));
  auto accuracy_of = [&](auto& program, const matrix& images) {
    return examples::accuracy(program(tl::feed(x, images)).value(), split.test_labels);
  };
  std::printf("trained on the digits: test accuracy %.2f%%; on inverted digits %.2f%%\n",
              100 * accuracy_of(plain, split.test_x), 100 * accuracy_of(plain, inverted_test));

  // 2. The encoder frozen (in its type) under a low-rank adapter. B starts
  // at zero, so the adapted encoder starts as the trained one.
  tl::Frozen<encoder_t> base;
  base.copy_values_from(encoder);
  adapter_t adapter;
  tl::initialize(adapter, tl::glorot_normal, rng);
  adapter.layer<1>().weight.value.setZero();
  const auto& W_base = base.layer<0>().weight;
  const auto& A = adapter.layer<0>().weight;
  const auto& B = adapter.layer<1>().weight;
  const auto adapted =
      base.layer<0>().with_weights(W_base + tl::matmul(A, B), base.layer<0>().bias);
  const auto logits = head(adapted(x));

  auto step = tl::gradient(tl::softmax_cross_entropy(logits, t), A, B, head);
  static_assert(!decltype(step)::computes_gradient_of<decltype(base.layer<0>().weight)>());
  auto adam = tl::make_optimizer(tl::adam{.learning_rate = 0.005}, adapter, head);
  const matrix W_before = W_base.value;
  const double seconds =
      examples::train(step, adam, x, t, inverted_train, split.train_t, opt.epochs, rng);

  auto predict = tl::evaluate(logits);
  const double recovered = accuracy_of(predict, inverted_test);
  const bool unchanged = W_base.value == W_before;
  std::printf(
      "fine-tuned %d adapter parameters (W_base has %d) and the head in %.2f s: "
      "inverted digits %.2f%%\n",
      64 * rank + rank * 256, 64 * 256, seconds, 100 * recovered);
  std::printf("W_base after fine-tuning: %s\n", unchanged ? "bit-identical" : "CHANGED");
  if (!unchanged || recovered < opt.expect) {
    std::printf("FAILED: expected W_base unchanged and at least %.2f%%\n", 100 * opt.expect);
    return 1;
  }
}
