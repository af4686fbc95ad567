// The README's tour of the API, compiled and run as a test so that the
// README stays true.

#include <cmath>
#include <cstdio>

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  // Models: a tag (their identity and name), a scalar type, Dense layers.
  tl::model<struct encoder, float, tl::Dense<64, 32, tl::ReLU>> enc;
  tl::model<struct head, float, tl::Dense<32, 10>> head;
  tl::model<struct other, float, tl::Dense<32, 10>> other;
  enc.layer<0>().weight.value.setConstant(0.01f);  // Eigen matrix, 64 x 32
  const bool named = enc.layer<0>().weight.name() == "encoder.layer0.W";

  // Inputs: a feature count, and a batch size given by the data.
  tl::input<struct images, float, 64> x;
  tl::input<struct labels, float, 10> t;

  // Compose, and build a scalar loss.
  auto logits = head(enc(x));
  auto loss = tl::softmax_cross_entropy(logits, t);

  // One forward and one reverse sweep for both models.
  auto step = tl::gradient(loss, enc, head);
  Eigen::MatrixXf X = Eigen::MatrixXf::Ones(8, 64);
  Eigen::MatrixXf T = Eigen::MatrixXf::Zero(8, 10);
  T.col(3).setOnes();
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  std::printf("loss %.6f, |dL/dW_head| %.6f\n", static_cast<double>(g.loss()),
              static_cast<double>(g[head.layer<0>().weight].norm()));

  // Forward only.
  auto predict = tl::evaluate(logits);
  const auto& scores = predict(tl::feed(x, X)).value();
  auto metric = tl::evaluate(loss);
  const float same_loss = metric(tl::feed(x, X), tl::feed(t, T)).loss();

  // Compile-time questions.
  static_assert(tl::depends_on_v<decltype(loss), decltype(enc)>);
  static_assert(!tl::uses_v<decltype(loss), decltype(other)>);
  static_assert(!decltype(step)::computes_gradient_of<decltype(other.layer<0>().weight)>());
  static_assert(tl::depends_on(loss, enc.layer<0>().weight));

  // Generic code: zero gradients for what the loss does not depend on.
  auto lenient = tl::gradient(tl::unconnected_as_zero, loss, enc, head, other);
  const auto& l = lenient(tl::feed(x, X), tl::feed(t, T));

  // With zero weights in head, every class scores 0: the loss is ln 10.
  const bool ok = named && scores.rows() == 8 && scores.cols() == 10 &&
                  std::abs(g.loss() - std::log(10.0f)) < 1e-5f && same_loss == g.loss() &&
                  l[other.layer<0>().weight].isZero(0.0f) &&
                  l[head.layer<0>().weight] == g[head.layer<0>().weight];
  std::printf("%s\n", ok ? "tour: ok" : "tour: MISMATCH");
  return ok ? 0 : 1;
}
