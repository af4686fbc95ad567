// Weights computed from other models: a Dense layer or a whole model applied
// with weight and bias expressions instead of its stored parameters. The
// gradient flows into whatever those expressions read: a hypernetwork's
// parameters, a low-rank adapter beside a frozen base, an encoder's weight
// used again, transposed, by its decoder. Every case against central finite
// differences; Polyak averaging, a value operation, creates no dependency.

#include <type_traits>

#include <tapeless/tapeless.hpp>

#include "support.hpp"

namespace tl = tapeless;
using namespace tapeless_test;

namespace {

const tl::input<struct x_tag, double, 3> x;
const tl::input<struct t_tag, double, 2> t;
const matrix<double> X = pattern(6, 3, 1.0);
const matrix<double> T = pattern(6, 2, 2.0);

template <class Loss, class... Models>
void check_against_fd(const Loss& loss, Models&... models) {
  auto step = tl::gradient(loss, models...);
  auto value = tl::evaluate(loss);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  (check_parameters_against_fd(g, models,
                               [&] { return value(tl::feed(x, X), tl::feed(t, T)).loss(); }),
   ...);
}

}  // namespace

TEST_CASE("a layer with another model's parameters computes what its own would", "[computed]") {
  tl::model<struct src_tag, double, tl::Dense<3, 2, tl::Tanh>> src;
  tl::model<struct dst_tag, double, tl::Dense<3, 2, tl::Tanh>> dst;
  fill_parameters(src, 3.0);
  const auto& s = src.layer<0>();
  const auto borrowed = tl::mse(dst.layer<0>().with_weights(s.weight, s.bias)(x), t);
  const auto own = tl::mse(src(x), t);
  // dst's parameters are not read at all: the dependency is on src.
  STATIC_REQUIRE(tl::depends_on_v<decltype(borrowed), decltype(src)>);
  STATIC_REQUIRE(!tl::uses_v<decltype(borrowed), decltype(dst)>);

  auto a = tl::gradient(borrowed, src);
  auto b = tl::gradient(own, src);
  const auto& ga = a(tl::feed(x, X), tl::feed(t, T));
  const auto& gb = b(tl::feed(x, X), tl::feed(t, T));
  CHECK(ga.loss() == gb.loss());
  CHECK(ga[s.weight] == gb[s.weight]);
  CHECK(ga[s.bias] == gb[s.bias]);
}

TEST_CASE("hypernetwork: H computes a target network's weights", "[computed]") {
  // H maps a task descriptor z (1 x 2) to T's weight (3 x 2, from a 1 x 6
  // row, reshaped row-major) and bias (1 x 2); T stores nothing.
  using target_t = tl::model<struct target_tag, double, tl::Dense<3, 2, tl::Tanh>>;
  tl::model<struct h_weight, double, tl::Dense<2, 4, tl::Tanh>, tl::Dense<4, 6>> hw;
  tl::model<struct h_bias, double, tl::Dense<2, 2>> hb;
  fill_parameters(hw, 5.0);
  fill_parameters(hb, 6.0);
  const tl::input<struct z_tag, double, 2, 1> z;
  const matrix<double> Z = pattern(1, 2, 7.0);

  const auto loss = tl::mse(target_t::with_weights(tl::reshape<3, 2>(hw(z)), hb(z))(x), t);
  STATIC_REQUIRE(tl::depends_on_v<decltype(loss), decltype(hw)>);
  STATIC_REQUIRE(tl::depends_on_v<decltype(loss), decltype(hb)>);

  auto step = tl::gradient(loss, hw, hb);
  auto value = tl::evaluate(loss);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T), tl::feed(z, Z));
  auto f = [&] { return value(tl::feed(x, X), tl::feed(t, T), tl::feed(z, Z)).loss(); };
  check_parameters_against_fd(g, hw, f);
  check_parameters_against_fd(g, hb, f);

  // The value is T's with the weights H computes.
  const matrix<double> h =
      (Z * hw.layer<0>().weight.value + hw.layer<0>().bias.value).array().tanh().matrix();
  const matrix<double> row = h * hw.layer<1>().weight.value + hw.layer<1>().bias.value;
  const matrix<double> W = row.reshaped<Eigen::RowMajor>(3, 2);
  const matrix<double> b = Z * hb.layer<0>().weight.value + hb.layer<0>().bias.value;
  const matrix<double> y = ((X * W).rowwise() + b.row(0)).array().tanh();
  CHECK(g.loss() == Approx((y - T).array().square().mean()).epsilon(1e-12));
}

TEST_CASE("low-rank adaptation of a frozen layer: W_base + A B", "[computed]") {
  tl::model<struct base_tag, double, tl::Frozen<tl::Dense<3, 4, tl::Tanh>>, tl::Dense<4, 2>> base;
  // The adapter's factors A (3 x 2) and B (2 x 4), held as two weights.
  tl::model<struct adapter_tag, double, tl::Dense<3, 2>, tl::Dense<2, 4>> adapter;
  fill_parameters(base, 1.0);
  fill_parameters(adapter, 2.0);
  const auto& W_base = base.layer<0>().weight;
  const auto& A = adapter.layer<0>().weight;
  const auto& B = adapter.layer<1>().weight;
  const auto adapted =
      base.layer<0>().with_weights(W_base + tl::matmul(A, B), base.layer<0>().bias);
  const auto loss = tl::mse(base.layer<1>()(adapted(x)), t);

  auto step = tl::gradient(loss, A, B, base);  // base: its trainable layer only
  STATIC_REQUIRE(!decltype(step)::computes_gradient_of<std::remove_cvref_t<decltype(W_base)>>());
  STATIC_REQUIRE(tl::uses_v<decltype(loss), std::remove_cvref_t<decltype(W_base)>>);
  auto value = tl::evaluate(loss);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  auto f = [&] { return value(tl::feed(x, X), tl::feed(t, T)).loss(); };
  CHECK_THAT(g[A], is_close_to(numeric_gradient(f, adapter.layer<0>().weight.value), fd_tolerance));
  CHECK_THAT(g[B], is_close_to(numeric_gradient(f, adapter.layer<1>().weight.value), fd_tolerance));
  CHECK_THAT(g[base.layer<1>().weight],
             is_close_to(numeric_gradient(f, base.layer<1>().weight.value), fd_tolerance));

  // Training A and B leaves W_base bit for bit as it was.
  const matrix<double> before = W_base.value;
  auto sgd = tl::make_optimizer(tl::sgd{.learning_rate = 0.1}, adapter);
  const double first = g.loss();
  for (int i = 0; i < 20; ++i) sgd.step(step(tl::feed(x, X), tl::feed(t, T)));
  CHECK(W_base.value == before);
  CHECK(step(tl::feed(x, X), tl::feed(t, T)).loss() < first);
}

TEST_CASE("tied weights: a decoder using the encoder's weight transposed", "[computed]") {
  const tl::input<struct x4_tag, double, 4> x4;
  tl::model<struct enc_tag, double, tl::Dense<4, 2, tl::Tanh>> enc;
  tl::model<struct dec_tag, double, tl::Dense<2, 4>> dec;  // only its bias is used
  fill_parameters(enc, 3.0);
  fill_parameters(dec, 4.0);
  const auto decoded = dec.layer<0>().with_weights(tl::transpose(enc.layer<0>().weight),
                                                   dec.layer<0>().bias)(enc(x4));
  const auto loss = tl::mse(decoded, x4);
  const matrix<double> X4 = pattern(5, 4, 8.0);

  auto step = tl::gradient(loss, enc, dec.layer<0>().bias);
  auto value = tl::evaluate(loss);
  const auto& g = step(tl::feed(x4, X4));
  auto f = [&] { return value(tl::feed(x4, X4)).loss(); };
  check_parameters_against_fd(g, enc, f);
  CHECK_THAT(g[dec.layer<0>().bias],
             is_close_to(numeric_gradient(f, dec.layer<0>().bias.value), fd_tolerance));

  // The encoder's weight gradient is the sum of its two uses: the same
  // network with the decoder's weight a separate copy of W^T gives the two
  // parts, one each.
  tl::model<struct untied_tag, double, tl::Dense<2, 4>> untied;
  untied.layer<0>().weight.value = enc.layer<0>().weight.value.transpose();
  untied.layer<0>().bias.value = dec.layer<0>().bias.value;
  auto split = tl::gradient(tl::mse(untied(enc(x4)), x4), enc, untied);
  const auto& gs = split(tl::feed(x4, X4));
  CHECK(gs.loss() == Approx(g.loss()).epsilon(1e-14));
  CHECK_THAT(
      g[enc.layer<0>().weight],
      is_close_to((gs[enc.layer<0>().weight] + gs[untied.layer<0>().weight].transpose()).eval(),
                  1e-12));
}

TEST_CASE("a whole model with computed weights, layer by layer", "[computed]") {
  tl::model<struct two_tag, double, tl::Dense<3, 4, tl::Sigmoid>, tl::Dense<4, 2>> stored;
  tl::model<struct scale_tag, double, tl::Dense<3, 4>, tl::Dense<4, 2>> factors;
  fill_parameters(stored, 2.0);
  fill_parameters(factors, 9.0);
  // Each weight is the stored one times a learned elementwise factor.
  const auto& s0 = stored.layer<0>();
  const auto& s1 = stored.layer<1>();
  const auto& f0 = factors.layer<0>();
  const auto& f1 = factors.layer<1>();
  const auto y = decltype(stored)::with_weights(s0.weight * f0.weight, s0.bias,
                                                s1.weight * f1.weight, s1.bias)(x);
  const auto loss = tl::mse(y, t);
  // A factor's bias is not used: request the weights.
  auto step = tl::gradient(loss, stored, f0.weight, f1.weight);
  auto value = tl::evaluate(loss);
  const auto& g = step(tl::feed(x, X), tl::feed(t, T));
  auto f = [&] { return value(tl::feed(x, X), tl::feed(t, T)).loss(); };
  check_parameters_against_fd(g, stored, f);
  CHECK_THAT(g[f0.weight],
             is_close_to(numeric_gradient(f, factors.layer<0>().weight.value), fd_tolerance));
  CHECK_THAT(g[f1.weight],
             is_close_to(numeric_gradient(f, factors.layer<1>().weight.value), fd_tolerance));
}

TEST_CASE("Polyak averaging: values move, no dependency", "[computed]") {
  using q_t = tl::model<struct online_tag, double, tl::Dense<3, 2>>;
  using target_t = tl::model<struct target_q_tag, double, tl::Dense<3, 2>>;
  q_t online;
  target_t target;
  fill_parameters(online, 1.0);
  fill_parameters(target, 2.0);
  const matrix<double> w_online = online.layer<0>().weight.value;
  const matrix<double> w_target = target.layer<0>().weight.value;
  target.polyak_update_from(online, 0.25);
  CHECK_THAT(target.layer<0>().weight.value,
             is_close_to((0.25 * w_online + 0.75 * w_target).eval(), 1e-15));
  CHECK(online.layer<0>().weight.value == w_online);

  const auto loss = tl::mse(online(x), t);
  STATIC_REQUIRE(!tl::uses_v<decltype(loss), target_t>);
  STATIC_REQUIRE(!tl::depends_on_v<decltype(loss), target_t>);
}

TEST_CASE("computed weights in float", "[computed][float]") {
  const tl::input<struct xf_tag, float, 3> xf;
  const tl::input<struct tf_tag, float, 2> tf;
  tl::model<struct fsrc_tag, float, tl::Dense<3, 2>> src;
  tl::model<struct fdst_tag, float, tl::Dense<3, 2>> dst;
  fill_parameters(src, 3.0);
  const auto loss = tl::mse(
      dst.layer<0>().with_weights(2.0f * src.layer<0>().weight, src.layer<0>().bias)(xf), tf);
  auto step = tl::gradient(loss, src);
  const matrix<float> Xf = X.cast<float>(), Tf = T.cast<float>();
  const auto& g = step(tl::feed(xf, Xf), tl::feed(tf, Tf));
  const matrix<float> y =
      ((2.0f * Xf * src.layer<0>().weight.value).rowwise() + src.layer<0>().bias.value.row(0));
  const matrix<float> dy = 2.0f * (y - Tf) / float(y.size());
  CHECK_THAT(matrix<float>(g[src.layer<0>().weight]),
             is_close_to((2.0f * Xf.transpose() * dy).eval(), 1e-5));
}
