// A randomized property test: two-model graphs drawn from a fixed seed
// (widths, depths, activations, the loss, a model used twice, a
// stop_gradient branch), each one's gradient with respect to both models
// against central finite differences in double. The graphs are types, so
// they are drawn at compile time by a constexpr generator: the same seed
// gives the same graphs with every compiler.

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include <tapeless/tapeless.hpp>

#include "support.hpp"

namespace tl = tapeless;
using namespace tapeless_test;

namespace {

// The graph drawn for one seed.
struct spec {
  int b_depth = 0, a_depth = 0;
  std::array<int, 7> widths{};  // features in, then each layer's out (B's, then A's)
  std::array<int, 6> acts{};    // per layer: identity, tanh, sigmoid, relu
  int loss = 0;                 // mse, softmax cross-entropy, sum(tanh(y) * t)
  bool twice = false;           // B also applied to a second input
  bool stopped = false;         // A also applied to stop_gradient(B(x))
};

constexpr spec draw(std::uint64_t seed) {
  std::uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
  auto below = [&](int n) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<int>((state >> 33) % static_cast<std::uint64_t>(n));
  };
  spec s;
  s.b_depth = 1 + below(3);
  s.a_depth = 1 + below(3);
  for (int i = 0; i <= s.b_depth + s.a_depth; ++i) s.widths[i] = 1 + below(5);
  for (int i = 0; i < s.b_depth + s.a_depth; ++i) s.acts[i] = below(4);
  s.loss = below(3);
  s.twice = below(2) == 1;
  s.stopped = below(2) == 1;
  return s;
}

template <int A>
using activation = std::conditional_t<
    A == 0, tl::Identity,
    std::conditional_t<A == 1, tl::Tanh, std::conditional_t<A == 2, tl::Sigmoid, tl::ReLU>>>;

template <std::uint64_t Seed>
struct b_tag {};
template <std::uint64_t Seed>
struct a_tag {};

// Layers First .. First + N - 1 of the spec as a model.
template <class Tag, const spec& S, int First, std::size_t... I>
auto model_of(std::index_sequence<I...>) -> tl::model<
    Tag, double,
    tl::Dense<S.widths[First + I], S.widths[First + I + 1], activation<S.acts[First + I]>>...>;

template <std::uint64_t Seed>
struct random_case {
  static constexpr spec s = draw(Seed);
  using b_t = decltype(model_of<b_tag<Seed>, s, 0>(std::make_index_sequence<s.b_depth>{}));
  using a_t = decltype(model_of<a_tag<Seed>, s, s.b_depth>(std::make_index_sequence<s.a_depth>{}));
  static constexpr int in = s.widths[0];
  static constexpr int mid = s.widths[s.b_depth];
  static constexpr int out = s.widths[s.b_depth + s.a_depth];

  b_t b;
  a_t a;
  tl::input<struct x_tag, double, in> x;
  tl::input<struct x2_tag, double, in> x2;
  tl::input<struct t_tag, double, out> t;
  // Stands for stop_gradient(B(x)) in the finite-difference reference, fed
  // with its value: a stopped path is constant to the gradient.
  tl::input<struct h_tag, double, mid> h;

  template <class Stopped>
  auto loss(const Stopped& stopped) const {
    const auto y = a(b(x));
    const auto data = [&] {
      if constexpr (s.loss == 0)
        return tl::mse(y, t);
      else if constexpr (s.loss == 1)
        return tl::softmax_cross_entropy(y, t);
      else
        return tl::sum(tl::tanh(y) * t);
    }();
    const auto with_twice = [&] {
      if constexpr (s.twice)
        return data + 0.5 * tl::sum(tl::square(b(x2)));
      else
        return data;
    }();
    if constexpr (s.stopped)
      return with_twice + 0.3 * tl::sum(tl::square(a(stopped)));
    else
      return with_twice;
  }

  const matrix<double> X = pattern(5, in, 3.0 + Seed), X2 = pattern(5, in, 4.0 + Seed);
  // Positive target rows (distributions, for the cross-entropy).
  const matrix<double> T = (pattern(5, out, 5.0 + Seed).array() + 1.5).matrix();

  // Runs a program on the inputs this graph reads.
  template <class Program, class... Extra>
  const Program& run(Program& p, const Extra&... extra) const {
    if constexpr (s.twice)
      return p(tl::feed(x, X), tl::feed(x2, X2), tl::feed(t, T), extra...);
    else
      return p(tl::feed(x, X), tl::feed(t, T), extra...);
  }

  void check() {
    INFO("seed " << Seed << ": B " << s.b_depth << " layers, A " << s.a_depth << " layers, loss "
                 << s.loss << ", twice " << s.twice << ", stopped " << s.stopped);
    fill_parameters(b, 1.0 + Seed);
    fill_parameters(a, 20.0 + Seed);

    const auto full = loss(tl::stop_gradient(b(x)));
    auto step = tl::gradient(full, a, b);
    const auto& g = run(step);

    // The reference: the stopped value computed once and fed as data.
    auto hidden = tl::evaluate(b(x));
    const matrix<double> H = hidden(tl::feed(x, X)).value();
    auto reference = tl::evaluate(loss(h));
    auto f = [&] {
      if constexpr (s.stopped)
        return run(reference, tl::feed(h, H)).loss();
      else
        return run(reference).loss();
    };
    CHECK(g.loss() == Approx(f()).epsilon(1e-12));
    auto compare = [&](auto& model) {
      model.for_each_parameter([&](auto& p) {
        INFO("parameter " << p.name());
        CHECK_THAT(g[p], is_close_to(numeric_gradient(f, p.value), 1e-6));
      });
    };
    compare(a);
    compare(b);
  }
};

template <std::uint64_t... Seeds>
void check_all(std::integer_sequence<std::uint64_t, Seeds...>) {
  (random_case<Seeds>{}.check(), ...);
}

}  // namespace

TEST_CASE("random two-model graphs: gradients against finite differences", "[random]") {
  check_all(std::make_integer_sequence<std::uint64_t, 12>{});
}
