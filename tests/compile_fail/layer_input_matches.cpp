// check::layer_input_matches: data with 3 features given to a model whose
// first layer takes 2 (a Dense layer; with TAPELESS_EXPECT_FAIL_NORM, a
// LayerNorm; with TAPELESS_EXPECT_FAIL_IDS, an Embedding reading 2 ids).

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

int main() {
#if defined(TAPELESS_EXPECT_FAIL)
  tl::model<struct net, double, tl::Dense<2, 4, tl::ReLU>, tl::Dense<4, 1>> net;
#elif defined(TAPELESS_EXPECT_FAIL_NORM)
  tl::model<struct net, double, tl::LayerNorm<2>, tl::Dense<2, 1>> net;
#elif defined(TAPELESS_EXPECT_FAIL_IDS)
  tl::model<struct net, double, tl::Embedding<5, 2, 2>, tl::Dense<4, 1>> net;
#else
  tl::model<struct net, double, tl::Dense<3, 4, tl::ReLU>, tl::Dense<4, 1>> net;
#endif
  tl::input<struct x_tag, double, 3> x;
  tl::input<struct t_tag, double, 1> t;
  auto step = tl::gradient(tl::mse(net(x), t), net);
  Eigen::MatrixXd X(8, 3), T(8, 1);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  return g.loss() > 0 ? 0 : 1;
}
