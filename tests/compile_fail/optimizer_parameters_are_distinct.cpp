// check::optimizer_parameters_are_distinct: the same model passed twice to
// make_optimizer would be updated twice per step.

#include <tapeless/tapeless.hpp>
#include <tapeless/train/sgd.hpp>

namespace tl = tapeless;

int main() {
  tl::model<struct encoder, float, tl::Dense<4, 3, tl::ReLU>> encoder;
  tl::model<struct head, float, tl::Dense<3, 2>> head;
  tl::input<struct x_tag, float, 4> x;
  tl::input<struct t_tag, float, 2> t;
  auto step = tl::gradient(tl::mse(head(encoder(x)), t), encoder, head);
#ifdef TAPELESS_EXPECT_FAIL
  auto opt = tl::make_optimizer(tl::sgd{.learning_rate = 0.1}, encoder, head, encoder);
#else
  auto opt = tl::make_optimizer(tl::sgd{.learning_rate = 0.1}, encoder, head);
#endif
  Eigen::MatrixXf X = Eigen::MatrixXf::Ones(8, 4), T = Eigen::MatrixXf::Zero(8, 2);
  opt.step(step(tl::feed(x, X), tl::feed(t, T)));
  return step.loss() >= 0 ? 0 : 1;
}
