// Frozen layers and parameters shared between models: a frozen layer
// computes as before and is never differentiated; a layer used in two
// places, or by two models, gets the sum of both contributions.

#include <tapeless/tapeless.hpp>

#include "support.hpp"

namespace tl = tapeless;
using namespace tapeless_test;

namespace {

struct enc_tag;
struct head_tag;
using enc_t = tl::model<enc_tag, double, tl::Dense<3, 4, tl::Tanh>, tl::Dense<4, 4, tl::Sigmoid>>;
using head_t = tl::model<head_tag, double, tl::Dense<4, 2>>;
// The same encoder with its first layer frozen, and entirely frozen.
using half_frozen_t =
    tl::model<enc_tag, double, tl::Frozen<tl::Dense<3, 4, tl::Tanh>>, tl::Dense<4, 4, tl::Sigmoid>>;
using frozen_enc_t = tl::Frozen<enc_t>;

tl::input<struct x_tag, double, 3> x;
tl::input<struct t_tag, double, 2> t;
const matrix<double> X = pattern(6, 3, 1.0);
const matrix<double> T = pattern(6, 2, 2.0);

}  // namespace

TEST_CASE("Frozen: part of the type, nothing else changes", "[frozen]") {
  STATIC_REQUIRE(
      std::is_same_v<tl::Frozen<tl::Frozen<tl::Dense<3, 4>>>, tl::Frozen<tl::Dense<3, 4>>>);
  STATIC_REQUIRE(
      std::is_same_v<frozen_enc_t, tl::model<enc_tag, double, tl::Frozen<tl::Dense<3, 4, tl::Tanh>>,
                                             tl::Frozen<tl::Dense<4, 4, tl::Sigmoid>>>>);
  STATIC_REQUIRE(!std::remove_cvref_t<decltype(frozen_enc_t{}.layer<1>())>::trainable);
  STATIC_REQUIRE(decltype(frozen_enc_t{}.layer<1>().weight)::id::trainable == false);
  STATIC_REQUIRE(decltype(half_frozen_t{}.layer<1>().weight)::id::trainable);
  // The name is the trainable one's: checkpoints are interchangeable.
  CHECK(frozen_enc_t{}.layer<0>().weight.name() == "enc_tag.layer0.W");

  enc_t enc;
  head_t head;
  fill_parameters(enc, 1.0);
  fill_parameters(head, 2.0);
  frozen_enc_t frozen;
  frozen.copy_values_from(enc);
  auto trainable_value = tl::evaluate(tl::mse(head(enc(x)), t));
  auto frozen_value = tl::evaluate(tl::mse(head(frozen(x)), t));
  CHECK(frozen_value(tl::feed(x, X), tl::feed(t, T)).loss() ==
        trainable_value(tl::feed(x, X), tl::feed(t, T)).loss());
}

TEST_CASE("requesting a model means its trainable layers", "[frozen]") {
  enc_t enc;
  head_t head;
  fill_parameters(enc, 1.0);
  fill_parameters(head, 2.0);
  half_frozen_t half;
  half.copy_values_from(enc);

  auto all = tl::gradient(tl::mse(head(enc(x)), t), enc, head);
  auto some = tl::gradient(tl::mse(head(half(x)), t), half, head);
  using some_t = decltype(some);
  STATIC_REQUIRE(!some_t::computes_gradient_of<decltype(half.layer<0>().weight)>());
  STATIC_REQUIRE(!some_t::computes_gradient_of<decltype(half.layer<0>().bias)>());
  STATIC_REQUIRE(some_t::computes_gradient_of<decltype(half.layer<1>().weight)>());
  STATIC_REQUIRE(some_t::computes_gradient_of<decltype(head.layer<0>().weight)>());

  const auto& ga = all(tl::feed(x, X), tl::feed(t, T));
  const auto& gs = some(tl::feed(x, X), tl::feed(t, T));
  CHECK(gs.loss() == ga.loss());
  CHECK(gs[half.layer<1>().weight] == ga[enc.layer<1>().weight]);
  CHECK(gs[half.layer<1>().bias] == ga[enc.layer<1>().bias]);
  CHECK(gs[head.layer<0>().weight] == ga[head.layer<0>().weight]);
}

TEST_CASE("transfer learning: a head on a frozen encoder, no work for the encoder", "[frozen]") {
  enc_t enc;
  head_t head;
  fill_parameters(enc, 1.0);
  fill_parameters(head, 2.0);
  frozen_enc_t frozen;
  frozen.copy_values_from(enc);

  auto joint = tl::gradient(tl::mse(head(enc(x)), t), enc, head);
  auto head_only = tl::gradient(tl::mse(head(frozen(x)), t), head);
  const auto& gj = joint(tl::feed(x, X), tl::feed(t, T));
  const auto& gh = head_only(tl::feed(x, X), tl::feed(t, T));
  CHECK(gh[head.layer<0>().weight] == gj[head.layer<0>().weight]);
  CHECK(gh[head.layer<0>().bias] == gj[head.layer<0>().bias]);
  // No adjoint storage behind the head: the reverse sweep stops there.
  CHECK(sizeof(head_only) < sizeof(joint));
  check_parameters_against_fd(gh, head, [&] {
    return tl::evaluate(tl::mse(head(frozen(x)), t))(tl::feed(x, X), tl::feed(t, T)).loss();
  });
}

TEST_CASE("a layer shared by two models: the sum of both contributions", "[sharing]") {
  // A siamese pattern: one encoder layer under two heads, two inputs, one
  // loss; and a second model built on the encoder's first layer (tied).
  enc_t enc;
  head_t left;
  tl::model<struct right_tag, double, tl::Dense<4, 2>> right;
  tl::model<struct side_tag, double, tl::Dense<4, 2, tl::Tanh>> side;
  fill_parameters(enc, 1.0);
  fill_parameters(left, 2.0);
  fill_parameters(right, 3.0);
  fill_parameters(side, 4.0);
  tl::input<struct x2_tag, double, 3> x2;
  const matrix<double> X2 = pattern(6, 3, 7.0);
  const auto& tied = enc.layer<0>();
  auto loss = tl::mse(left(enc(x)), t) + tl::mse(right(enc(x2)), t) + tl::mse(side(tied(x2)), t);

  auto step = tl::gradient(loss, enc, left, right, side);
  auto value = tl::evaluate(loss);
  auto f = [&] { return value(tl::feed(x, X), tl::feed(x2, X2), tl::feed(t, T)).loss(); };
  const auto& g = step(tl::feed(x, X), tl::feed(x2, X2), tl::feed(t, T));
  check_parameters_against_fd(g, enc, f);
  check_parameters_against_fd(g, left, f);
  check_parameters_against_fd(g, right, f);
  check_parameters_against_fd(g, side, f);

  // The shared layer's gradient is the sum of each use's, taken apart.
  auto only_left = tl::gradient(tl::mse(left(enc(x)), t), enc);
  auto only_right = tl::gradient(tl::mse(right(enc(x2)), t), enc);
  auto only_side = tl::gradient(tl::mse(side(tied(x2)), t), tied);
  const matrix<double> sum = only_left(tl::feed(x, X), tl::feed(t, T))[tied.weight] +
                             only_right(tl::feed(x2, X2), tl::feed(t, T))[tied.weight] +
                             only_side(tl::feed(x2, X2), tl::feed(t, T))[tied.weight];
  CHECK_THAT(g[tied.weight], is_close_to(sum, 1e-13));
}
