// The benchmark problems of bench/README.md, their data and their FLOP
// counts, shared by every implementation so that all of them compute the
// same numbers from the same inputs.
//
// All problems: y = A(B(x)), loss = mean over all elements of (y - t)^2, a
// Dense layer is y = act(x W + b) with x of shape (batch, in), W (in, out),
// b (1, out). The gradient is taken with respect to every weight and bias of
// both models, or of A only.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

namespace bench {

enum class act { identity, tanh, relu };

template <int In, int Out, act A = act::identity>
struct dense {
  static constexpr int in = In;
  static constexpr int out = Out;
  static constexpr act activation = A;
};

template <class... L>
struct layers {
  static constexpr std::size_t size = sizeof...(L);
};

template <class... L>
layers<L...> concat_(layers<L...>);
template <class... L, class... M, class... R>
auto concat_(layers<L...>, layers<M...>, R... r) {
  return concat_(layers<L..., M...>{}, r...);
}
template <class T, std::size_t>
using first_ = T;
template <class L, std::size_t... I>
layers<first_<L, I>...> repeat_(std::index_sequence<I...>);
template <class L, std::size_t N>
using repeat = decltype(repeat_<L>(std::make_index_sequence<N>{}));

// Which parameters the gradient is taken with respect to.
enum class wrt { both, a_only };

template <int Batch, class B, class A, wrt W = wrt::both>
struct problem {
  static constexpr int batch = Batch;
  using b_layers = B;
  using a_layers = A;
  static constexpr wrt request = W;
};

// P1 "seed": the two-model example of the README, batch 1.
struct p1 : problem<1, layers<dense<2, 5>>, layers<dense<5, 10>>> {
  static constexpr const char* name = "P1_seed";
};
// P2 "small".
struct p2 : problem<32, layers<dense<16, 64, act::tanh>, dense<64, 64, act::tanh>>,
                    layers<dense<64, 64, act::relu>, dense<64, 1>>> {
  static constexpr const char* name = "P2_small";
};
// P2 with the gradient of A's parameters only: must cost less than P2.
struct p2a : problem<32, p2::b_layers, p2::a_layers, wrt::a_only> {
  static constexpr const char* name = "P2_small_A_only";
};
// P3 "medium": an MNIST-sized MLP.
struct p3 : problem<64, layers<dense<784, 256, act::relu>>, layers<dense<256, 10>>> {
  static constexpr const char* name = "P3_medium";
};
// P4 "large".
struct p4 : problem<256, layers<dense<1024, 1024, act::tanh>>,
                    layers<dense<1024, 1024, act::relu>, dense<1024, 10>>> {
  static constexpr const char* name = "P4_large";
};
// "deep": 16 layers of width 32, batch 16; tanh everywhere but the output
// layer. B holds the first 8, A the last 8.
struct deep
    : problem<16, repeat<dense<32, 32, act::tanh>, 8>,
              decltype(concat_(repeat<dense<32, 32, act::tanh>, 7>{}, layers<dense<32, 32>>{}))> {
  static constexpr const char* name = "deep16";
};

// The same problems, described at run time (for peers that build their
// graph at run time, and for the reference).
struct layer_desc {
  int in, out;
  act activation;
};
struct problem_desc {
  std::string name;
  int batch;
  std::vector<layer_desc> layers;  // B's, then A's
  std::size_t b_depth;             // how many of them are B's
  wrt request;
  int in() const { return layers.front().in; }
  int out() const { return layers.back().out; }
  // The first layer whose parameters get a gradient.
  std::size_t first_requested() const { return request == wrt::both ? 0 : b_depth; }
};

template <class... L>
std::vector<layer_desc> describe_layers(layers<L...>) {
  return {layer_desc{L::in, L::out, L::activation}...};
}

template <class P>
problem_desc describe() {
  problem_desc d{P::name, P::batch, describe_layers(typename P::b_layers{}), P::b_layers::size,
                 P::request};
  auto a = describe_layers(typename P::a_layers{});
  d.layers.insert(d.layers.end(), a.begin(), a.end());
  return d;
}

// Multiply-adds of the products, times two: the FLOPs of one gradient step,
// counting the products only (forward x W; backward x^T g for every
// requested layer and g W^T wherever the adjoint of a layer's input is
// needed). Elementwise work is a few percent at most and is left out, the
// usual convention for GEMM-bound networks.
inline double flops(const problem_desc& d) {
  double f = 0;
  const std::size_t first = d.first_requested();
  for (std::size_t l = 0; l < d.layers.size(); ++l) {
    const double mnk = 2.0 * d.batch * d.layers[l].in * d.layers[l].out;
    f += mnk;                  // forward
    if (l >= first) f += mnk;  // dW
    if (l > first) f += mnk;   // dx
  }
  return f;
}

// The data of one problem, in double, every value exactly representable in
// float so that float and double implementations start from the same
// numbers. Parameters are listed layer by layer, B's then A's, weight then
// bias.
struct problem_data {
  Eigen::MatrixXd x, t;
  std::vector<Eigen::MatrixXd> weights, biases;
};

// A fixed generator (SplitMix64), so the values do not depend on the
// standard library's distributions.
class rng {
  std::uint64_t s_;

 public:
  explicit rng(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [-limit, limit), rounded to float.
  double uniform(double limit) {
    const double u = static_cast<double>(next() >> 11) * 0x1.0p-53;
    return static_cast<double>(static_cast<float>((2 * u - 1) * limit));
  }
};

inline Eigen::MatrixXd random_matrix(rng& r, int rows, int cols, double limit) {
  Eigen::MatrixXd m(rows, cols);
  for (auto& v : m.reshaped()) v = r.uniform(limit);
  return m;
}

// Glorot-uniform weights, small random biases (so their gradients are
// tested too), inputs and targets uniform in [-1, 1).
inline problem_data make_data(const problem_desc& d, std::uint64_t seed = 2024) {
  rng r(seed);
  problem_data p;
  for (const auto& l : d.layers) {
    p.weights.push_back(random_matrix(r, l.in, l.out, std::sqrt(6.0 / (l.in + l.out))));
    p.biases.push_back(random_matrix(r, 1, l.out, 0.1));
  }
  p.x = random_matrix(r, d.batch, d.in(), 1.0);
  p.t = random_matrix(r, d.batch, d.out(), 1.0);
  return p;
}

// Gradients as every implementation reports them: for each requested
// layer, in order, dW then db; and the loss.
struct gradients {
  double loss = 0;
  std::vector<Eigen::MatrixXd> g;
};

}  // namespace bench
