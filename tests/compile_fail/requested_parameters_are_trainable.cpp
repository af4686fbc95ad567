// check::requested_parameters_are_trainable: transfer learning. The encoder
// is declared frozen (tl::Frozen<model>), a new head is trained on top of it, and
// the gradient request names the encoder too. Its own message, not "does not
// depend on": the loss does use the encoder.

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
  tl::Frozen<tl::model<struct encoder, float, tl::Dense<4, 3, tl::ReLU>>> encoder;
  tl::model<struct head, float, tl::Dense<3, 2>> head;
  tl::input<struct x_tag, float, 4> x;
  tl::input<struct t_tag, float, 2> t;
  auto loss = tl::mse(head(encoder(x)), t);
#ifdef TAPELESS_EXPECT_FAIL
  auto step = tl::gradient(loss, head, encoder);
#else
  auto step = tl::gradient(loss, head);
#endif
  Eigen::MatrixXf X = Eigen::MatrixXf::Ones(8, 4), T = Eigen::MatrixXf::Zero(8, 2);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  return g.loss() >= 0 ? 0 : 1;
}
