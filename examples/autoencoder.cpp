// Tied weights: an autoencoder whose decoder uses the encoder's weight,
// transposed, with a bias of its own. The decoder stores no weight; the
// encoder's weight gradient is the sum of its two uses (encoding and,
// through the transpose, decoding). Half the weights of an untied
// autoencoder, trained on the digits and measured on held-out images.
//
//   autoencoder [--epochs N] [--expect MSE]   (test reconstruction error)
//
// Data: examples/data/digits.csv.gz (attribution in examples/data/README.md).

#include <cstdio>

#include <tapeless/tapeless.hpp>

#include "datasets.hpp"

namespace tl = tapeless;
using examples::matrix;

using encoder_t = tl::model<struct encoder, float, tl::Dense<64, 16, tl::Sigmoid>>;
// Only its bias is used: its weight comes from the encoder.
using decoder_t = tl::model<struct decoder, float, tl::Dense<16, 64, tl::Sigmoid>>;

int main(int argc, char** argv) {
  const auto opt = examples::parse(argc, argv, {.epochs = 60, .expect = 0.03});
  const auto split = examples::digits_split();

  encoder_t encoder;
  decoder_t decoder;
  tl::random_engine rng(3);
  tl::initialize(encoder, rng);
  tl::initialize(decoder, rng);

  const tl::input<struct pixels, float, 64> x;
  const auto& W = encoder.layer<0>().weight;
  const auto& c = decoder.layer<0>().bias;
  const auto reconstruction = decoder.layer<0>().with_weights(tl::transpose(W), c)(encoder(x));
  const auto loss = tl::mse(reconstruction, x);
  static_assert(!tl::uses_v<decltype(loss), decltype(decoder.layer<0>().weight)>);

  auto step = tl::gradient(loss, encoder, c);
  auto evaluate = tl::evaluate(loss);
  auto adam = tl::make_optimizer(tl::adam{.learning_rate = 0.01}, encoder, decoder);
  const double before = evaluate(tl::feed(x, split.test_x)).loss();
  // The target is the input: x is fed once and read at both ends.
  tl::batches batches(split.train_x.rows(), 32);
  tl::batch_buffer<float> xb(32, 64);
  double after = before;
  const auto start = examples::clock::now();
  for (int epoch = 1; epoch <= opt.epochs; ++epoch) {
    batches.shuffle(rng);
    for (Eigen::Index b = 0; b < batches.count(); ++b)
      adam.step(step(tl::feed(x, xb.gather(split.train_x, batches[b]))));
    after = evaluate(tl::feed(x, split.test_x)).loss();
    if (epoch % 10 == 0 || epoch == opt.epochs)
      std::printf("epoch %2d  test reconstruction MSE %.4f\n", epoch, after);
  }
  std::printf(
      "64 -> 16 -> 64 with tied weights (%d weights, not %d): test reconstruction MSE "
      "%.4f -> %.4f in %.2f s\n",
      64 * 16, 2 * 64 * 16, before, after, examples::seconds_since(start));
  if (!(after < opt.expect)) {
    std::printf("FAILED: reconstruction MSE above %.4f\n", opt.expect);
    return 1;
  }
}
