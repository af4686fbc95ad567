// Gradients as expressions (tl::grad) against the library's own reverse
// sweep, which the other tests check against finite differences; a
// gradient used inside another loss; the identity checks of tl::grad.

#include <tapeless/tapeless.hpp>

#include "support.hpp"

namespace tl = tapeless;
using Catch::Matchers::Contains;
using namespace tapeless_test;

namespace {

const tl::input<struct x_tag, double, 3> x;
const tl::input<struct t_tag, double, 2> t;
const matrix<double> X = pattern(6, 3, 1.0);
const matrix<double> T = pattern(6, 2, 2.0);

// The value of a gradient expression for the test data.
template <class E>
matrix<double> value_of(const E& e) {
  auto program = tl::evaluate(e);
  return program(tl::feed(x, X), tl::feed(t, T)).value();
}

}  // namespace

TEST_CASE("grad is the gradient, as an expression", "[grad]") {
  tl::model<struct net, double, tl::Dense<3, 4, tl::Tanh>, tl::Dense<4, 4, tl::Sigmoid>,
            tl::Dense<4, 2>>
      m;
  fill_parameters(m, 1.0);
  const auto loss = tl::mse(m(x), t);
  auto step = tl::gradient(loss, m);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  const auto gs = tl::grad(loss, m);
  STATIC_REQUIRE(std::remove_cvref_t<decltype(gs)>::size == 6);
  m.for_each_parameter([&](const auto& p) {
    INFO(p.name());
    CHECK_THAT(value_of(gs[p]), is_close_to(matrix<double>(g[p]), 1e-12));
  });
  // One parameter: an expression of its shape.
  const auto gw = tl::grad(loss, m.layer<1>().weight);
  STATIC_REQUIRE(decltype(gw)::rows == 4 && decltype(gw)::cols == 4);
  CHECK_THAT(value_of(gw), is_close_to(matrix<double>(g[m.layer<1>().weight]), 1e-12));
}

TEST_CASE("grad follows every op that has a derivative rule", "[grad]") {
  tl::model<struct a_tag, double, tl::Dense<3, 4, tl::ELU>, tl::Dense<4, 4, tl::Softplus>,
            tl::Dense<4, 2, tl::LeakyReLU<>>>
      a;
  tl::model<struct b_tag, double, tl::Dense<3, 2, tl::ReLU>> b;
  fill_parameters(a, 3.0);
  fill_parameters(b, 5.0);
  const auto& w = a.layer<2>().weight;  // 4 x 2
  const auto y = a(x);
  const auto e = tl::exp(b(x));
  const auto z = e + tl::abs(y) / (tl::square(y) + e);
  const auto r = tl::sqrt(tl::sum_features(tl::square(tl::concat(z, y))));
  const auto m = tl::matmul(tl::transpose(w), tl::reshape<4, 2>(w));  // 2 x 2
  const auto loss = tl::mse(y, t) + tl::mean(tl::log(r)) + tl::sum(tl::matmul(z, m)) +
                    tl::sum(tl::broadcast_rows(a.layer<2>().bias, y) * y) -
                    tl::mean(tl::sigmoid(tl::tanh(z))) + 0.5 * tl::mean(y) + tl::huber(y, t, 0.3) +
                    tl::mean(tl::silu(z));
  auto step = tl::gradient(loss, a, b);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  const auto gs = tl::grad(loss, a, b);
  // Every op above is on the paths to these three (one program each: the
  // programs are most of this file's compile time).
  CHECK_THAT(value_of(gs[a.layer<0>().weight]),
             is_close_to(matrix<double>(g[a.layer<0>().weight]), 1e-12));
  CHECK_THAT(value_of(gs[w]), is_close_to(matrix<double>(g[w]), 1e-12));
  CHECK_THAT(value_of(gs[b.layer<0>().weight]),
             is_close_to(matrix<double>(g[b.layer<0>().weight]), 1e-12));
}

TEST_CASE("a gradient expression is an expression: a penalty on it", "[grad]") {
  // loss + mean(grad^2): its gradient against central differences.
  tl::model<struct net, double, tl::Dense<3, 3, tl::Tanh>, tl::Dense<3, 2>> m;
  fill_parameters(m, 2.0);
  const auto base = tl::mse(m(x), t);
  const auto loss = base + tl::mean(tl::square(tl::grad(base, m.layer<0>().weight)));
  auto step = tl::gradient(loss, m);
  auto value = tl::evaluate(loss);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  check_parameters_against_fd(g, m, [&] { return value(tl::feed(x, X), tl::feed(t, T)).loss(); });
}

TEST_CASE("grad through softmax, log_softmax and the cross-entropy losses", "[grad][softmax]") {
  // The targets of the cross-entropies are a teacher's outputs, so that both
  // of their pullbacks (logits and targets) are on the way.
  tl::model<struct student, double, tl::Dense<3, 4, tl::Tanh>, tl::Dense<4, 2>> m;
  tl::model<struct teacher, double, tl::Dense<3, 2>> teach;
  fill_parameters(m, 4.0);
  fill_parameters(teach, 6.0);
  const auto y = m(x);
  const auto loss = tl::softmax_cross_entropy(y, tl::softmax(teach(x))) +
                    tl::binary_cross_entropy_with_logits(y, tl::sigmoid(teach(x))) +
                    tl::mean(tl::softmax(y) * t) - 0.5 * tl::mean(tl::log_softmax(y) * t);
  auto step = tl::gradient(loss, m, teach);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  const auto gs = tl::grad(loss, m, teach);
  CHECK_THAT(value_of(gs[m.layer<0>().weight]),
             is_close_to(matrix<double>(g[m.layer<0>().weight]), 1e-12));
  CHECK_THAT(value_of(gs[m.layer<1>().bias]),
             is_close_to(matrix<double>(g[m.layer<1>().bias]), 1e-12));
  CHECK_THAT(value_of(gs[teach.layer<0>().weight]),
             is_close_to(matrix<double>(g[teach.layer<0>().weight]), 1e-12));

  // Second derivatives: a penalty on the gradient, differentiated.
  const auto penalized = loss + tl::mean(tl::square(tl::grad(loss, m.layer<1>().weight)));
  auto penalized_step = tl::gradient(penalized, m, teach);
  auto value = tl::evaluate(penalized);
  const auto& pg = penalized_step(tl::feed(x, X), tl::feed(t, T));
  const auto f = [&] { return value(tl::feed(x, X), tl::feed(t, T)).loss(); };
  check_parameters_against_fd(pg, m, f);
  check_parameters_against_fd(pg, teach, f);
}

TEST_CASE("grad checks which object it is given", "[grad][identity]") {
  tl::model<struct net, double, tl::Dense<3, 2>> a;
  tl::model<struct net, double, tl::Dense<3, 2>> b;  // another object, one type
  const auto loss = tl::mse(a(x), t);
  // A whole model: the first of its parameters the loss reads elsewhere.
  CHECK_THROWS_AS(tl::grad(loss, b), tl::identity_error);
  CHECK_THROWS_WITH(tl::grad(loss, b),
                    Contains("grad: parameter net.layer0.W is requested from another object"));
  CHECK_THROWS_AS(tl::grad(loss, b.layer<0>().weight), tl::identity_error);
  CHECK_THROWS_WITH(tl::grad(loss, b.layer<0>().weight),
                    Contains("grad: parameter net.layer0.W is requested from another object"));
  const auto gs = tl::grad(loss, a);
  CHECK_NOTHROW(gs[a.layer<0>().bias]);
  CHECK_THROWS_AS(gs[b.layer<0>().bias], tl::identity_error);
  CHECK_THROWS_WITH(gs[b.layer<0>().bias],
                    Contains("reading a gradient expression: parameter net.layer0.b is read from "
                             "another object than the one the gradient was requested for"));
}
