// tl::explain on the motivating cases: weights copied from the model the
// loss uses, the two stop_gradient probes (every path cut, one of two
// paths cut), a frozen layer, and the copy done right (weights computed
// from the other model). The table is checked at compile time, the text
// exactly. No program is built: the report reads types only.

#include <array>
#include <catch2/catch.hpp>

#include <tapeless/activations/tanh.hpp>
#include <tapeless/inspect/explain.hpp>
#include <tapeless/layers/dense.hpp>
#include <tapeless/losses/mse.hpp>
#include <tapeless/model.hpp>
#include <tapeless/ops/multiply.hpp>
#include <tapeless/ops/reduce.hpp>
#include <tapeless/ops/scale.hpp>
#include <tapeless/ops/square.hpp>
#include <tapeless/ops/stop_gradient.hpp>

namespace tl = tapeless;

namespace {

// examples/two_models.cpp's models: c is b's twin.
using model_a_t = tl::model<struct model_a, float, tl::Dense<5, 10>>;
using model_b_t = tl::model<struct model_b, float, tl::Dense<2, 5>>;
using model_c_t = tl::model<struct model_c, float, tl::Dense<2, 5>>;
const tl::input<struct x, float, 2> x;

using enc_t = tl::model<struct enc, float, tl::Dense<3, 4, tl::Tanh>>;
using head_t = tl::model<struct head, float, tl::Dense<4, 2>>;
const tl::input<struct features, float, 3> features;
const tl::input<struct targets, float, 2> targets;

using tl::dependency;

}  // namespace

TEST_CASE("explain: weights copied from the model the loss uses", "[explain]") {
  model_a_t a;
  model_b_t b;
  model_c_t c;
  c.copy_values_from(b);
  const auto loss = tl::mean(tl::square(a(b(x))));
  const auto why = tl::explain(loss, b, c);
  STATIC_REQUIRE(why.table == std::array{dependency::connected, dependency::connected,
                                         dependency::not_used, dependency::not_used});
  STATIC_REQUIRE(tl::explain(loss, a, c).status(c.layer<0>().weight) == dependency::not_used);
  STATIC_REQUIRE(tl::explain(loss, a, c).status(a.layer<0>().bias) == dependency::connected);
  CHECK(why.text() ==
        "model_b.layer0.W: connected: model_b.layer0 (Dense layer) -> model_a.layer0 (Dense "
        "layer) -> square -> mean\n"
        "model_b.layer0.b: connected: model_b.layer0 (Dense layer) -> model_a.layer0 (Dense "
        "layer) -> square -> mean\n"
        "model_c.layer0.W: not used: the loss reads model_b, model_a\n"
        "model_c.layer0.b: not used: the loss reads model_b, model_a\n");
}

TEST_CASE("explain: stop_gradient on every path, and on one of two", "[explain][stop_gradient]") {
  enc_t enc;
  head_t head;
  const auto cut = tl::mse(head(tl::stop_gradient(enc(features))), targets);
  const auto why = tl::explain(cut, enc.layer<0>().weight, head.layer<0>().weight);
  STATIC_REQUIRE(why.table == std::array{dependency::cut_by_stop_gradient, dependency::connected});
  CHECK(why.text() ==
        "enc.layer0.W: cut by stop_gradient: stop_gradient(enc.layer0 (Dense layer))\n"
        "head.layer0.W: connected: head.layer0 (Dense layer) -> mse\n");

  // y * stop(y): the parameters reach the loss through the first factor.
  const auto y = enc(features);
  const auto half = tl::sum(y * tl::stop_gradient(y));
  const auto why_half = tl::explain(half, enc.layer<0>().bias);
  STATIC_REQUIRE(why_half.table == std::array{dependency::connected});
  CHECK(why_half.text() ==
        "enc.layer0.b: connected: enc.layer0 (Dense layer) -> operator* -> sum\n");
}

TEST_CASE("explain: a frozen layer", "[explain][frozen]") {
  tl::Frozen<enc_t> frozen;
  head_t head;
  const auto loss = tl::mse(head(frozen(features)), targets);
  const auto why = tl::explain(loss, frozen.layer<0>().bias, head);
  STATIC_REQUIRE(why.table ==
                 std::array{dependency::frozen, dependency::connected, dependency::connected});
  CHECK(why.text() ==
        "enc.layer0.b: frozen: enc.layer0 is declared Frozen\n"
        "head.layer0.W: connected: head.layer0 (Dense layer) -> mse\n"
        "head.layer0.b: connected: head.layer0 (Dense layer) -> mse\n");
}

TEST_CASE("explain: the copy done right, c's weights computed from b's", "[explain][computed]") {
  model_a_t a;
  model_b_t b;
  const auto c_from_b = model_c_t::with_weights(2.0f * b.layer<0>().weight, b.layer<0>().bias);
  const auto loss = tl::mean(tl::square(a(c_from_b(x))));
  model_c_t c;
  const auto why = tl::explain(loss, b, c.layer<0>().weight);
  STATIC_REQUIRE(why.table ==
                 std::array{dependency::connected, dependency::connected, dependency::not_used});
  CHECK(why.text() ==
        "model_b.layer0.W: connected: scaling by a number -> Dense layer -> "
        "model_a.layer0 (Dense layer) -> square -> mean\n"
        "model_b.layer0.b: connected: Dense layer -> model_a.layer0 (Dense layer) "
        "-> square -> mean\n"
        "model_c.layer0.W: not used: the loss reads model_b, model_a\n");
}
