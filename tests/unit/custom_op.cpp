// Extending tapeless from user code, as docs/extending.md describes it, with
// nothing added under include/: an op (swish), an activation (softplus) and
// a layer (a learned per-feature scale), each against finite differences.

#include <cmath>
#include <cstddef>
#include <string_view>
#include <tuple>

#include <tapeless/tapeless.hpp>

#include "support.hpp"

namespace tl = tapeless;
using namespace tapeless_test;

namespace user {

// ---- An op: swish(x) = x sigmoid(x) -----------------------------------------
// With s = sigmoid(x): dx = g (s + x s (1 - s)).
struct swish_op {
  static constexpr std::string_view name = "swish";
  using shape_rule = tl::shape_rules::like_first;

  template <class Y, class X>
  void forward(Y& y, const X& x) const {
    y.array() = x.array() / (1 + (-x.array()).exp());
  }
  template <class G, class Y, class X, class SX>
  void backward(G& g, const Y&, const X& x, SX sx) const {
    const auto s = (1 + (-x.array()).exp()).inverse();
    sx(g.array() * (s + x.array() * s * (1 - s)));
  }
};

template <tl::Expression X>
auto swish(const X& x) {
  return tl::make_expr(swish_op{}, x);
}

// ---- An activation: softplus(x) = ln(1 + e^x) -------------------------------
// f'(x) = sigmoid(x) = 1 - e^(-y), from y alone.
struct Softplus {
  static constexpr std::string_view name = "softplus";
  static constexpr bool is_identity = false;
  template <class X>
  static auto apply(const X& x) {
    return (1 + x.exp()).log();
  }
  template <class Y>
  static auto derivative(const Y& y) {
    return 1 - (-y).exp();
  }
};

// ---- A layer: y = x * s, a learned scale per feature -----------------------
struct scale_kind {
  static constexpr const char* name = "s";
  static constexpr bool trainable = true;
  static constexpr tl::initial init = tl::initial::ones;
};

template <class Tag, std::size_t Index, class S, int N, bool Trainable>
struct scale_layer;

template <int N>
struct Scale {
  static constexpr int in = N;
  static constexpr int out = N;
  static constexpr bool trainable = true;
  using unfrozen = Scale;
  template <class Tag, std::size_t Index, class S, bool Trainable>
  using layer = scale_layer<Tag, Index, S, N, Trainable>;
};

// The layer applies as x * broadcast_rows(s, x), so it needs no op of its
// own; with_weights applies the same formula to an expression for s.
template <class S, int N, class Scale>
struct computed_scale {
  Scale s;
  template <tl::Expression X>
  auto operator()(const X& x) const {
    return x * tl::broadcast_rows(s, x);
  }
};

template <class Tag, std::size_t Index, class S, int N, bool Trainable>
struct scale_layer {
  using scalar = S;
  static constexpr int in = N;
  static constexpr int out = N;
  static constexpr bool trainable = Trainable;
  tl::parameter<tl::param<Tag, Index, tl::kind_for<scale_kind, Trainable>>, S, 1, N> s;

  auto parameters() { return std::tie(s); }
  auto parameters() const { return std::tie(s); }
  template <tl::Expression X>
  auto operator()(const X& x) const {
    return computed_scale<S, N, decltype(s.ref())>{s.ref()}(x);
  }
  template <tl::Expression E>
  static auto with_weights(const E& e) {
    return computed_scale<S, N, tl::node_t<E>>{tl::as_node(e)};
  }
};

}  // namespace user

namespace {

const tl::variable<struct v_tag, double, 3> v;
const tl::input<struct w_tag, double, 3> w;
const tl::input<struct x_tag, double, 3> x;
const tl::input<struct t_tag, double, 2> t;

// A model's gradients for mse(m(x), t), checked as users check theirs.
template <class Model>
tl::gradient_check_report check(Model& m) {
  const matrix<double> X = pattern(6, 3, 4.0), T = pattern(6, 2, 5.0);
  return tl::check_gradients(tl::mse(m(x), t), tl::wrt(m), tl::feed(x, X), tl::feed(t, T));
}

}  // namespace

TEST_CASE("a user's op: swish, value and gradient", "[extending]") {
  STATIC_REQUIRE(tl::Operation<user::swish_op, decltype(v)>);
  const auto loss = tl::sum(w * user::swish(v));
  matrix<double> V = 2.0 * pattern(5, 3, 1.0);
  const matrix<double> W = pattern(5, 3, 2.0);
  auto step = tl::gradient(loss, v);
  auto value = tl::evaluate(loss);
  const auto& g = step(tl::feed(v, V), tl::feed(w, W));
  const matrix<double> s = (1 + (-V.array()).exp()).inverse();
  CHECK(g.loss() == Approx((W.array() * V.array() * s.array()).sum()).epsilon(1e-12));
  CHECK_THAT(g[v], is_close_to(numeric_gradient(
                                   [&] { return value(tl::feed(v, V), tl::feed(w, W)).loss(); }, V),
                               fd_tolerance));
}

TEST_CASE("a user's activation in a Dense layer: softplus", "[extending]") {
  STATIC_REQUIRE(tl::Activation<user::Softplus>);
  tl::model<struct sp_tag, double, tl::Dense<3, 4, user::Softplus>, tl::Dense<4, 2>> m;
  fill_parameters(m, 3.0);
  const auto report = check(m);
  INFO(report.text());
  CHECK(report.passed());
}

TEST_CASE("a user's layer: a learned scale, through the Layer concept", "[extending]") {
  using model_t = tl::model<struct scaled_tag, double, tl::Dense<3, 2, tl::Tanh>, user::Scale<2>>;
  STATIC_REQUIRE(tl::LayerDeclaration<user::Scale<2>>);
  STATIC_REQUIRE(tl::Layer<std::remove_cvref_t<decltype(model_t{}.layer<1>())>>);
  model_t m;
  tl::random_engine rng(1);
  tl::initialize(m, rng);
  CHECK(m.layer<1>().s.value == matrix<double>::Ones(1, 2));  // its kind says: ones
  fill_parameters(m, 6.0);
  const auto report = check(m);
  INFO(report.text());
  CHECK(report.passed());
  CHECK(report.entries.back().name == "scaled_tag.layer1.s");
  const matrix<double> X = pattern(6, 3, 4.0), T = pattern(6, 2, 5.0);
  auto step = tl::gradient(tl::mse(m(x), t), m);

  // Frozen, and in an optimizer, like any layer.
  tl::model<struct scaled_tag, double, tl::Dense<3, 2, tl::Tanh>, tl::Frozen<user::Scale<2>>> f;
  f.copy_values_from(m);
  auto frozen_step = tl::gradient(tl::mse(f(x), t), f);
  STATIC_REQUIRE(!decltype(frozen_step)::computes_gradient_of<decltype(f.layer<1>().s)>());
  auto sgd = tl::make_optimizer(tl::sgd{.learning_rate = 0.1}, m);
  const matrix<double> before = m.layer<1>().s.value;
  sgd.step(step(tl::feed(x, X), tl::feed(t, T)));
  CHECK(m.layer<1>().s.value != before);
}
