// float and double: the same model, with the same values, built for each
// scalar type. The double result is checked against finite differences;
// the float result against the double one, with a tolerance fit for float.

#include <type_traits>
#include <vector>

#include <tapeless/tapeless.hpp>

#include "support.hpp"

namespace tl = tapeless;
using namespace tapeless_test;

namespace {

struct enc_tag;
struct head_tag;
struct x_tag;
struct t_tag;

template <class S>
struct network {
  tl::model<enc_tag, S, tl::Dense<4, 5, tl::Tanh>> enc;
  tl::model<head_tag, S, tl::Dense<5, 3, tl::Sigmoid>> head;
  tl::input<x_tag, S, 4> x;
  tl::input<t_tag, S, 3> t;
  matrix<S> X = pattern(6, 4, 1.0).cast<S>();
  matrix<S> T;

  network() {
    fill_parameters(enc, 2.0);
    fill_parameters(head, 6.0);
    T = matrix<S>::Zero(6, 3);
    for (Eigen::Index r = 0; r < 6; ++r) T(r, r % 3) = 1;  // one-hot targets
  }

  auto loss() const { return tl::softmax_cross_entropy(head(enc(x)), t); }
};

// The loss and every gradient of one run, in double for comparison.
struct result {
  double loss;
  std::vector<matrix<double>> gradients;
};

template <class S>
result run(network<S>& n) {
  auto step = tl::gradient(n.loss(), n.enc, n.head);
  const auto& g = step(tl::feed(n.x, n.X), tl::feed(n.t, n.T));
  // The program computes in the model's scalar type throughout.
  STATIC_REQUIRE(std::is_same_v<decltype(g.loss()), S>);
  STATIC_REQUIRE(
      std::is_same_v<
          typename std::remove_cvref_t<decltype(g[n.enc.template layer<0>().weight])>::Scalar, S>);
  result out{double(g.loss()), {}};
  auto keep = [&](const auto& p) { out.gradients.push_back(g[p].template cast<double>()); };
  n.enc.for_each_parameter(keep);
  n.head.for_each_parameter(keep);

  if constexpr (std::is_same_v<S, double>) {
    auto value = tl::evaluate(n.loss());
    auto f = [&] { return value(tl::feed(n.x, n.X), tl::feed(n.t, n.T)).loss(); };
    check_parameters_against_fd(g, n.enc, f);
    check_parameters_against_fd(g, n.head, f);
  }
  return out;
}

}  // namespace

TEST_CASE("float gives the double result to float precision", "[float]") {
  network<double> d;
  network<float> f;
  const result rd = run(d);
  const result rf = run(f);

  // float carries about 7 digits; sums over a batch and through two
  // layers lose a few, so 1e-4 relative leaves room without hiding a bug
  // (a wrong rule is off by far more).
  CHECK(rf.loss == Approx(rd.loss).epsilon(1e-5));
  REQUIRE(rf.gradients.size() == 4);
  for (std::size_t i = 0; i < rd.gradients.size(); ++i) {
    INFO("parameter " << i);
    CHECK_THAT(rf.gradients[i], is_close_to(rd.gradients[i], 1e-4));
  }
}
