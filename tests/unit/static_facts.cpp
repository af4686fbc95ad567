// What is known at compile time: which parameters a loss reads and depends
// on, the static shapes of expressions, and what a gradient request
// computes. Most checks here are STATIC_REQUIRE: building this file is most
// of the test. The run-time cases check models themselves: initial values,
// names, parameter order, copies.

#include <string>
#include <type_traits>
#include <vector>

#include <tapeless/tapeless.hpp>

#include "support.hpp"

namespace tl = tapeless;
using namespace tapeless_test;

namespace {

using enc_t = tl::model<struct enc, double, tl::Dense<3, 4, tl::Tanh>, tl::Dense<4, 4>>;
using head_t = tl::model<struct head, double, tl::Dense<4, 2>>;
using twin_t = tl::model<struct twin, double, tl::Dense<4, 2>>;  // head's architecture
const tl::input<struct x_tag, double, 3> x;
const tl::input<struct t_tag, double, 2> t;

}  // namespace

TEST_CASE("reachability: depends_on_v and uses_v", "[static]") {
  enc_t e;
  head_t h;
  twin_t c;
  const tl::variable<struct v_tag, double, 3> v;
  const tl::variable<struct u_tag, double, 3> unused;

  const auto loss = tl::mse(h(e(x)), t);
  using L = decltype(loss);
  STATIC_REQUIRE(tl::depends_on_v<L, enc_t>);
  STATIC_REQUIRE(tl::depends_on_v<L, head_t>);
  STATIC_REQUIRE(tl::uses_v<L, head_t>);
  STATIC_REQUIRE(tl::depends_on_v<L, std::remove_cvref_t<decltype(e.layer<1>())>>);
  STATIC_REQUIRE(tl::depends_on_v<L, decltype(h.layer<0>().bias)>);
  // The object forms, as the README writes them.
  STATIC_REQUIRE(tl::depends_on(loss, e.layer<0>().weight));
  STATIC_REQUIRE(tl::uses(loss, e.layer<0>().weight));
  STATIC_REQUIRE(!tl::depends_on_v<L, decltype(v)>);

  // A copy of head's values is another model: the loss neither reads nor
  // depends on it.
  c.copy_values_from(h);
  STATIC_REQUIRE(!tl::depends_on_v<L, twin_t>);
  STATIC_REQUIRE(!tl::uses_v<L, twin_t>);
  STATIC_REQUIRE_FALSE(tl::depends_on(loss, c.layer<0>().weight));

  // Behind stop_gradient: read, but not depended on.
  const auto stopped = tl::mse(h(tl::stop_gradient(e(x))), t);
  using S = decltype(stopped);
  STATIC_REQUIRE(tl::uses_v<S, enc_t>);
  STATIC_REQUIRE(!tl::depends_on_v<S, enc_t>);
  STATIC_REQUIRE(!tl::depends_on_v<S, decltype(e.layer<0>().weight)>);
  STATIC_REQUIRE(tl::depends_on_v<S, head_t>);

  // Through one path stopped and one not: depended on.
  const auto both = tl::sum(e(x) * tl::stop_gradient(e(x)));
  STATIC_REQUIRE(tl::depends_on_v<decltype(both), enc_t>);

  // A model only part of which is used: its used layer is depended on, the
  // model as a whole (every parameter of it) is not.
  const auto partial = tl::sum(e.layer<0>()(x));
  using P = decltype(partial);
  STATIC_REQUIRE(tl::depends_on_v<P, std::remove_cvref_t<decltype(e.layer<0>())>>);
  STATIC_REQUIRE(!tl::depends_on_v<P, std::remove_cvref_t<decltype(e.layer<1>())>>);
  STATIC_REQUIRE(!tl::depends_on_v<P, enc_t>);
  STATIC_REQUIRE(!tl::uses_v<P, enc_t>);

  // Variables: the one the loss reads, not another.
  const auto of_v = tl::mse(h(e(v)), t);
  STATIC_REQUIRE(tl::depends_on_v<decltype(of_v), decltype(v)>);
  STATIC_REQUIRE(!tl::depends_on_v<decltype(of_v), decltype(unused)>);
  STATIC_REQUIRE(!tl::uses_v<decltype(of_v), decltype(unused)>);
}

TEST_CASE("static shapes of expressions", "[static]") {
  enc_t e;
  head_t h;
  const tl::input<struct fixed_tag, double, 3, 5> xf;  // a batch of 5, fixed

  using X = decltype(x);
  STATIC_REQUIRE(X::rows == tl::dynamic);
  STATIC_REQUIRE(X::cols == 3);
  using E = decltype(e(x));
  STATIC_REQUIRE(E::rows == tl::dynamic);
  STATIC_REQUIRE(E::cols == 4);
  using Y = decltype(h(e(x)));
  STATIC_REQUIRE(Y::rows == tl::dynamic);
  STATIC_REQUIRE(Y::cols == 2);
  using L0 = decltype(e.layer<0>()(x));
  STATIC_REQUIRE(L0::cols == 4);

  // A fixed batch propagates, also through elementwise ops with a dynamic
  // operand.
  using F = decltype(h(e(xf)));
  STATIC_REQUIRE(F::rows == 5);
  STATIC_REQUIRE(F::cols == 2);
  using Mixed = decltype(e(xf) - e(x));
  STATIC_REQUIRE(Mixed::rows == 5);
  STATIC_REQUIRE(Mixed::cols == 4);

  using Scaled = decltype(2.5 * tl::tanh(e(x)) / 3);
  STATIC_REQUIRE(Scaled::rows == tl::dynamic);
  STATIC_REQUIRE(Scaled::cols == 4);
  using Stopped = decltype(tl::stop_gradient(e(xf)));
  STATIC_REQUIRE(Stopped::rows == 5);
  STATIC_REQUIRE(Stopped::cols == 4);

  // Reductions and losses are 1x1.
  using Sum = decltype(tl::sum(e(x)));
  using Mean = decltype(tl::mean(e(x)));
  using Mse = decltype(tl::mse(h(e(x)), t));
  using Xent = decltype(tl::softmax_cross_entropy(h(e(x)), t));
  STATIC_REQUIRE((Sum::rows == 1 && Sum::cols == 1));
  STATIC_REQUIRE((Mean::rows == 1 && Mean::cols == 1));
  STATIC_REQUIRE((Mse::rows == 1 && Mse::cols == 1));
  STATIC_REQUIRE((Xent::rows == 1 && Xent::cols == 1));

  // Parameters: W is In x Out, b is 1 x Out.
  STATIC_REQUIRE(decltype(e.layer<0>().weight)::rows == 3);
  STATIC_REQUIRE(decltype(e.layer<0>().weight)::cols == 4);
  STATIC_REQUIRE(decltype(e.layer<0>().bias)::rows == 1);
  STATIC_REQUIRE(decltype(e.layer<0>().bias)::cols == 4);
}

TEST_CASE("what a request computes: computes_gradient_of", "[static]") {
  enc_t e;
  head_t h;
  const auto loss = tl::mse(h(e(x)), t);
  using e0w = decltype(e.layer<0>().weight);
  using e1b = decltype(e.layer<1>().bias);
  using h0w = decltype(h.layer<0>().weight);
  using h0b = decltype(h.layer<0>().bias);

  // Only the head: none of the encoder's parameters.
  using only_head = decltype(tl::gradient(loss, h));
  STATIC_REQUIRE(only_head::computes_gradient_of<h0w>());
  STATIC_REQUIRE(only_head::computes_gradient_of<h0b>());
  STATIC_REQUIRE(!only_head::computes_gradient_of<e0w>());
  STATIC_REQUIRE(!only_head::computes_gradient_of<e1b>());

  // Both.
  using both = decltype(tl::gradient(loss, e, h));
  STATIC_REQUIRE(both::computes_gradient_of<e0w>());
  STATIC_REQUIRE(both::computes_gradient_of<e1b>());
  STATIC_REQUIRE(both::computes_gradient_of<h0b>());

  // One layer, or one parameter.
  using layer = decltype(tl::gradient(loss, e.layer<1>()));
  STATIC_REQUIRE(layer::computes_gradient_of<e1b>());
  STATIC_REQUIRE(!layer::computes_gradient_of<e0w>());
  STATIC_REQUIRE(!layer::computes_gradient_of<h0w>());
  using one = decltype(tl::gradient(loss, h.layer<0>().bias));
  STATIC_REQUIRE(one::computes_gradient_of<h0b>());
  STATIC_REQUIRE(!one::computes_gradient_of<h0w>());

  // The object form reads the same facts.
  auto step = tl::gradient(loss, h);
  STATIC_REQUIRE(step.computes_gradient_of(h.layer<0>().weight));
  STATIC_REQUIRE_FALSE(step.computes_gradient_of(e.layer<0>().weight));
}

TEST_CASE("models: zero initial values, names, parameter order", "[model]") {
  enc_t e;
  CHECK(enc_t::name() == "enc");
  STATIC_REQUIRE(enc_t::depth == 2);

  std::vector<std::string> names;
  e.for_each_parameter([&](const auto& p) {
    names.push_back(p.name());
    CHECK(p.value.isZero(0.0));
  });
  CHECK(names ==
        std::vector<std::string>{"enc.layer0.W", "enc.layer0.b", "enc.layer1.W", "enc.layer1.b"});
  CHECK(e.layer<1>().bias.name() == "enc.layer1.b");
}

TEST_CASE("models: copy_values_from copies numbers, not identity", "[model]") {
  head_t h;
  twin_t c;
  fill_parameters(h, 1.0);
  c.copy_values_from(h);
  CHECK(c.layer<0>().weight.value == h.layer<0>().weight.value);
  CHECK(c.layer<0>().bias.value == h.layer<0>().bias.value);
  CHECK(!c.layer<0>().weight.value.isZero(0.0));

  // Later changes to the source do not reach the copy.
  const matrix<double> before = c.layer<0>().weight.value;
  h.layer<0>().weight.value.setConstant(7.0);
  CHECK(c.layer<0>().weight.value == before);
}

TEST_CASE("graph::dag of a const-qualified expression type", "[static]") {
  // decltype of a `const auto` variable is const-qualified; the DAG is the
  // same as the plain type's.
  const auto loss = tl::mean(tl::square(x));
  using plain = std::remove_cvref_t<decltype(loss)>;
  STATIC_REQUIRE(tl::graph::dag<plain>::size == 3);  // x, its square, the mean
  STATIC_REQUIRE(tl::graph::dag<decltype(loss)>::size == 3);
}
