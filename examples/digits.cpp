// The main demo: handwritten digits (8x8 images, 10 classes) classified by
// two models trained jointly, an encoder (64 -> 256, ReLU) and a classifier
// head (256 -> 10), with Adam and softmax cross-entropy on a fixed 80/20
// split. The gradient of the loss with respect to both models is one
// compile-time schedule; the training loop is plain C++.
//
//   digits [--epochs N] [--expect ACCURACY]
//
// Data: examples/data/digits.csv.gz (UCI Optical Recognition of Handwritten
// Digits, Alpaydin & Kaynak 1998; attribution in examples/data/README.md).

#include <cstdio>

#include <tapeless/tapeless.hpp>
#include <tapeless/train/adam.hpp>
#include <tapeless/train/batches.hpp>
#include <tapeless/train/init.hpp>

#include "datasets.hpp"

namespace tl = tapeless;
using examples::matrix;

using encoder_t = tl::model<struct encoder, float, tl::Dense<64, 256, tl::ReLU>>;
using head_t = tl::model<struct head, float, tl::Dense<256, 10>>;

int main(int argc, char** argv) {
  const auto opt = examples::parse(argc, argv, {.epochs = 30, .expect = 0.97});

  const auto split = examples::digits_split();
  std::printf("digits: %td training and %td test images of 8x8 pixels\n", split.train_x.rows(),
              split.test_x.rows());

  encoder_t encoder;
  head_t head;
  tl::random_engine rng(7);
  tl::initialize(encoder, rng);  // He uniform before the ReLU
  tl::initialize(head, rng);     // Glorot uniform

  // The graph, as types: x -> encoder -> head -> loss against one-hot t.
  const tl::input<struct pixels, float, 64> x;
  const tl::input<struct target, float, 10> t;
  const auto logits = head(encoder(x));
  auto step = tl::gradient(tl::softmax_cross_entropy(logits, t), encoder, head);
  auto predict = tl::evaluate(logits);
  auto adam = tl::make_optimizer(tl::adam{.learning_rate = 0.005}, encoder, head);

  const Eigen::Index batch_size = 32;
  tl::batches batches(split.train_x.rows(), batch_size);
  tl::batch_buffer<float> xb(batch_size, 64), tb(batch_size, 10);

  double train_seconds = 0, test_accuracy = 0;
  for (int epoch = 1; epoch <= opt.epochs; ++epoch) {
    const auto start = examples::clock::now();
    batches.shuffle(rng);
    double loss = 0;
    for (Eigen::Index b = 0; b < batches.count(); ++b) {
      const auto rows = batches[b];
      const auto& g = step(tl::feed(x, xb.gather(split.train_x, rows)),
                           tl::feed(t, tb.gather(split.train_t, rows)));
      loss += g.loss() * static_cast<double>(rows.size());
      adam.step(g);
    }
    const double seconds = examples::seconds_since(start);
    train_seconds += seconds;
    const double train_accuracy =
        examples::accuracy(predict(tl::feed(x, split.train_x)).value(), split.train_labels);
    test_accuracy =
        examples::accuracy(predict(tl::feed(x, split.test_x)).value(), split.test_labels);
    std::printf("epoch %2d  loss %.4f  train %5.1f%%  test %5.1f%%  %6.1f ms\n", epoch,
                loss / static_cast<double>(split.train_x.rows()), 100 * train_accuracy,
                100 * test_accuracy, 1000 * seconds);
  }
  std::printf("trained %d epochs in %.3f s (training steps only); test accuracy %.2f%%\n",
              opt.epochs, train_seconds, 100 * test_accuracy);
  if (test_accuracy < opt.expect) {
    std::printf("FAILED: test accuracy below %.2f%%\n", 100 * opt.expect);
    return 1;
  }
}
