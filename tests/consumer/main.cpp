// What a project that uses tapeless compiles: two models composed into one
// loss, one gradient program for both. The gradients are checked against
// backpropagation written out by hand with Eigen, so a consumer that links
// but computes nonsense (wrong headers picked up, say) fails too.
// Exit status: 0 when every value matches, 1 otherwise.

#include <cmath>
#include <cstdio>

#include <tapeless/tapeless.hpp>

namespace tl = tapeless;

namespace {

int failures = 0;

void expect_near(const char* what, const Eigen::MatrixXd& got, const Eigen::MatrixXd& want) {
  const bool same_shape = got.rows() == want.rows() && got.cols() == want.cols();
  const double error = same_shape ? (got - want).cwiseAbs().maxCoeff() : INFINITY;
  if (!(error <= 1e-12 * (1.0 + want.cwiseAbs().maxCoeff()))) {
    std::printf("FAIL %s: max error %g\n", what, error);
    ++failures;
  }
}

}  // namespace

int main() {
  // y = (x Wb + bb) Wa + ba: b maps 2 features to 3, a maps 3 to 1.
  tl::model<struct a, double, tl::Dense<3, 1>> a;
  tl::model<struct b, double, tl::Dense<2, 3>> b;
  a.layer<0>().weight.value << 1, 2, 3;
  a.layer<0>().bias.value << 0.5;
  b.layer<0>().weight.value << 0.1, -0.2, 0.3,  //
      -0.4, 0.5, 0.6;
  b.layer<0>().bias.value << 0.01, 0.02, -0.03;

  tl::input<struct x, double, 2> x;
  tl::input<struct t, double, 1> t;
  auto step = tl::gradient(tl::mse(a(b(x)), t), a, b);

  Eigen::MatrixXd X(4, 2), T(4, 1);
  X << 1, 2,    //
      -1, 0.5,  //
      0, 3,     //
      2, -1;
  T << 1, -1, 2, 0;
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));

  // The same by hand: forward, then dL/dy = 2 (y - t) / n for the mean over
  // the n = 4 elements, then back through each layer.
  const Eigen::MatrixXd& Wa = a.layer<0>().weight.value;
  const Eigen::MatrixXd& Wb = b.layer<0>().weight.value;
  const Eigen::MatrixXd h = (X * Wb).rowwise() + b.layer<0>().bias.value.row(0);
  const Eigen::MatrixXd y = (h * Wa).rowwise() + a.layer<0>().bias.value.row(0);
  const Eigen::MatrixXd r = y - T;
  const Eigen::MatrixXd dy = 2.0 * r / static_cast<double>(r.size());
  const Eigen::MatrixXd dh = dy * Wa.transpose();

  expect_near("loss", Eigen::MatrixXd::Constant(1, 1, g.loss()),
              Eigen::MatrixXd::Constant(1, 1, r.squaredNorm() / static_cast<double>(r.size())));
  expect_near("dL/dWa", g[a.layer<0>().weight], h.transpose() * dy);
  expect_near("dL/dba", g[a.layer<0>().bias], dy.colwise().sum());
  expect_near("dL/dWb", g[b.layer<0>().weight], X.transpose() * dh);
  expect_near("dL/dbb", g[b.layer<0>().bias], dh.colwise().sum());

  std::printf("%s\n", failures == 0 ? "consumer: gradients match" : "consumer: MISMATCH");
  return failures == 0 ? 0 : 1;
}
