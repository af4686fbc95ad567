// One identity per object. Two objects of one model type share their
// parameters' identity (the tag), so the types cannot tell them apart; every
// path that could hand one object's gradient to the other checks addresses
// and throws tl::identity_error, naming the parameter and the fix: the
// request, reading a gradient, and an optimizer's step. Copying a model is a
// compile error (tests/compile_fail/model_is_not_copied.cpp).

#include <stdexcept>
#include <type_traits>

#include <tapeless/tapeless.hpp>

#include "support.hpp"

namespace tl = tapeless;
using Catch::Matchers::Contains;
using namespace tapeless_test;

namespace {

// The case: a -> b on the loss path, c of b's type outside it.
using model_a_t = tl::model<struct a_tag, double, tl::Dense<5, 3>>;
using model_b_t = tl::model<struct b_tag, double, tl::Dense<2, 5>>;
const tl::input<struct x_tag, double, 2> x;
const tl::input<struct t_tag, double, 3> t;

struct motivating_case {
  model_a_t a;
  model_b_t b;
  model_b_t c;  // b's type, its values: not on the loss path
  matrix<double> X = pattern(4, 2, 1.0);
  matrix<double> T = pattern(4, 3, 2.0);
  motivating_case() {
    fill_parameters(a, 3.0);
    fill_parameters(b, 5.0);
    c.copy_values_from(b);
  }
};

}  // namespace

TEST_CASE("models can be moved (copying is a compile error)", "[identity]") {
  STATIC_REQUIRE(std::is_nothrow_move_constructible_v<model_b_t>);
  STATIC_REQUIRE(std::is_nothrow_move_assignable_v<model_b_t>);
}

TEST_CASE("a request names another object of the loss's model type", "[identity]") {
  motivating_case m;
  const auto loss = tl::mse(m.a(m.b(x)), t);
  // The types cannot tell b from c: the traits answer for the type.
  STATIC_REQUIRE(tl::depends_on_v<decltype(loss), model_b_t>);

  CHECK_THROWS_AS(tl::gradient(loss, m.c), tl::identity_error);
  CHECK_THROWS_WITH(tl::gradient(loss, m.c),
                    Contains("gradient request") && Contains("b_tag.layer0.W") &&
                        Contains("another object") && Contains("own tag") &&
                        Contains("copy_values_from") && Contains("with_weights"));
  // Every form of the request: a layer, a parameter, beside the right
  // model, and with unconnected_as_zero (whose zeros would hide the mix-up).
  CHECK_THROWS_AS(tl::gradient(loss, m.c.layer<0>()), tl::identity_error);
  CHECK_THROWS_AS(tl::gradient(loss, m.c.layer<0>().bias), tl::identity_error);
  CHECK_THROWS_AS(tl::gradient(loss, m.a, m.c), tl::identity_error);
  CHECK_THROWS_AS(tl::gradient(tl::unconnected_as_zero, loss, m.c), tl::identity_error);
  // Both objects in one request: one of them is not the loss's.
  CHECK_THROWS_AS(tl::gradient(loss, m.b, m.c), tl::identity_error);
  // identity_error is a logic_error: a mistake in the program, not in data.
  CHECK_THROWS_AS(tl::gradient(loss, m.c), std::logic_error);

  // The loss's own objects are fine.
  CHECK_NOTHROW(tl::gradient(loss, m.a, m.b));
  CHECK_NOTHROW(tl::gradient(loss, m.b.layer<0>().weight));
}

TEST_CASE("reading the gradient of another object of a requested type", "[identity]") {
  motivating_case m;
  const auto loss = tl::mse(m.a(m.b(x)), t);
  auto step = tl::gradient(loss, m.b);
  const auto& g = step(tl::feed(x, m.X), tl::feed(t, m.T));
  CHECK_THROWS_AS(g[m.c.layer<0>().weight], tl::identity_error);
  CHECK_THROWS_WITH(g[m.c.layer<0>().weight], Contains("reading a gradient") &&
                                                  Contains("b_tag.layer0.W") &&
                                                  Contains("another object"));
  CHECK_THROWS_AS(g[m.c.layer<0>().bias.ref()], tl::identity_error);
  CHECK_NOTHROW(g[m.b.layer<0>().weight]);

  // With unconnected_as_zero, a zero gradient is kept for the requested
  // object, and only for it.
  tl::model<struct other_tag, double, tl::Dense<2, 5>> unused;
  tl::model<struct other_tag, double, tl::Dense<2, 5>> unused_twin;
  auto lenient = tl::gradient(tl::unconnected_as_zero, loss, m.b, unused);
  const auto& gl = lenient(tl::feed(x, m.X), tl::feed(t, m.T));
  CHECK(gl[unused.layer<0>().weight].isZero());
  CHECK_THROWS_AS(gl[unused_twin.layer<0>().weight], tl::identity_error);
}

TEST_CASE("an optimizer for another object of the loss's model type", "[identity]") {
  // The reproduction: the optimizer made for c stepped with b's
  // gradients moved c, and the loss never changed.
  motivating_case m;
  const auto loss = tl::mse(m.a(m.b(x)), t);
  auto step = tl::gradient(loss, m.b);
  auto opt = tl::make_optimizer(tl::sgd{.learning_rate = 0.5}, m.c);
  const matrix<double> before = m.c.layer<0>().weight.value;
  CHECK_THROWS_AS(opt.step(step(tl::feed(x, m.X), tl::feed(t, m.T))), tl::identity_error);
  CHECK_THROWS_WITH(opt.step(step(tl::feed(x, m.X), tl::feed(t, m.T))),
                    Contains("b_tag.layer0.W") && Contains("another object"));
  // Nothing was updated, not even a parameter checked before the mismatch.
  CHECK(m.c.layer<0>().weight.value == before);
  CHECK(opt.steps() == 0);

  // The optimizer of the loss's own object trains it: the loss falls.
  auto right = tl::make_optimizer(tl::sgd{.learning_rate = 0.1}, m.b);
  const double first = step(tl::feed(x, m.X), tl::feed(t, m.T)).loss();
  for (int i = 0; i < 5; ++i) right.step(step(tl::feed(x, m.X), tl::feed(t, m.T)));
  CHECK(step(tl::feed(x, m.X), tl::feed(t, m.T)).loss() < first);
}

TEST_CASE("two objects of one model type in one loss", "[identity]") {
  // Same tag, same type: their parameters would be one node of the graph
  // and their gradients silently merged.
  using model_t = tl::model<struct shared_tag, double, tl::Dense<3, 3>>;
  const tl::input<struct x3_tag, double, 3> x3;
  model_t first;
  model_t second;
  const auto loss = tl::mean(first(second(x3)));
  CHECK_THROWS_AS(tl::evaluate(loss), tl::identity_error);
  CHECK_THROWS_AS(tl::gradient(loss, first), tl::identity_error);
  CHECK_THROWS_WITH(tl::evaluate(loss), Contains("two objects") &&
                                            Contains("shared_tag.layer0.W") && Contains("own tag"));
  // One object used twice is one model applied twice: fine.
  CHECK_NOTHROW(tl::gradient(tl::mean(first(first(x3))), first));
}

TEST_CASE("a moved model keeps its identity", "[identity]") {
  motivating_case m;
  model_b_t moved = std::move(m.b);
  // A loss built from the moved-to object trains it.
  const auto loss = tl::mse(m.a(moved(x)), t);
  auto step = tl::gradient(loss, moved);
  const auto& g = step(tl::feed(x, m.X), tl::feed(t, m.T));
  CHECK(g[moved.layer<0>().weight].cwiseAbs().maxCoeff() > 0);
  CHECK_THROWS_AS(g[m.b.layer<0>().weight], tl::identity_error);
}
