// Computed weights against stored ones (issue: "the computed path adds only
// the work of the weight expression"). Float, one thread, fixed batches.
//
//   stored    P2's network, both models requested (the suite's P2).
//   borrowed  the same, but B applied with_weights read from another model's
//             parameters: the expression is a parameter, so no work is added
//             and the ratio to `stored` should be 1.
//   lora      P3's 784 -> 256 ReLU layer frozen, its weight W_base + A B with
//             A 784 x 8, B 8 x 256 trainable, and the 256 -> 10 head.
//   full      the same network with the 784 x 256 weight trainable: the
//             stored layer whose gradient (dW) lora also computes.
//   factor    the weight expression alone: W_base + A B forward, its pullback
//             into A and B from a given upstream dW (a sum(U * W) loss).
// lora should cost about full + factor. Run with
//   --benchmark_enable_random_interleaving=true --benchmark_repetitions=N
// so that the cases share the machine's drift.
#include <cmath>
#include <cstdio>
#include <memory>

#include <tapeless/tapeless.hpp>

#include "harness.hpp"

namespace {

namespace tl = tapeless;
using matrix = Eigen::MatrixXf;

matrix filled(Eigen::Index r, Eigen::Index c, float seed, float scale) {
  matrix m(r, c);
  for (Eigen::Index j = 0; j < c; ++j)
    for (Eigen::Index i = 0; i < r; ++i)
      m(i, j) =
          scale * std::sin(1.9f * seed + 1.3f * float(i) + 2.7f * float(j) + 0.37f * float(i * j));
  return m;
}

template <class M>
void fill(M& m, float seed) {
  m.for_each_parameter([&](auto& p) {
    p.value = filled(p.value.rows(), p.value.cols(), seed, 1.0f / std::sqrt(float(p.value.rows())));
    seed += 1;
  });
}

// Runs `program` on its feeds in the timed loop, allocations counted.
template <class Program, class Run>
void add(const char* name, std::shared_ptr<Program> program, Run run) {
  benchmark::RegisterBenchmark(name, [=](benchmark::State& s) {
    const std::uint64_t before = bench::heap::allocations();
    for (auto _ : s) {
      run(*program);
      benchmark::ClobberMemory();
    }
    s.counters["allocs_per_step"] = benchmark::Counter(double(bench::heap::allocations() - before),
                                                       benchmark::Counter::kAvgIterations);
  })->UseRealTime();
}

// ---- P2: stored against borrowed ------------------------------------------
using b_t =
    tl::model<struct b_tag, float, tl::Dense<16, 64, tl::Tanh>, tl::Dense<64, 64, tl::Tanh>>;
using a_t = tl::model<struct a_tag, float, tl::Dense<64, 64, tl::ReLU>, tl::Dense<64, 1>>;
using src_t =
    tl::model<struct src_tag, float, tl::Dense<16, 64, tl::Tanh>, tl::Dense<64, 64, tl::Tanh>>;

struct p2_case {
  b_t b;
  a_t a;
  src_t src;
  tl::input<struct x_tag, float, 16, 32> x;
  tl::input<struct t_tag, float, 1, 32> t;
  matrix X = filled(32, 16, 1, 1), T = filled(32, 1, 2, 1);
  p2_case() {
    fill(b, 3);
    fill(a, 5);
    src.copy_values_from(b);
  }
  auto stored() const { return tl::gradient(tl::mse(a(b(x)), t), a, b); }
  auto borrowed() const {
    const auto& s0 = src.layer<0>();
    const auto& s1 = src.layer<1>();
    return tl::gradient(tl::mse(a(b_t::with_weights(s0.weight, s0.bias, s1.weight, s1.bias)(x)), t),
                        a, src);
  }
};

// ---- P3: low-rank adaptation against the stored layer ---------------------
constexpr int rank = 8;
using base_t = tl::model<struct base_tag, float, tl::Frozen<tl::Dense<784, 256, tl::ReLU>>>;
using full_t = tl::model<struct full_tag, float, tl::Dense<784, 256, tl::ReLU>>;
using head_t = tl::model<struct head_tag, float, tl::Dense<256, 10>>;
using adapter_t = tl::model<struct adapter_tag, float, tl::Dense<784, rank>, tl::Dense<rank, 256>>;

struct p3_case {
  base_t base;
  full_t full;
  head_t head;
  adapter_t adapter;
  tl::input<struct x_tag, float, 784, 64> x;
  tl::input<struct t_tag, float, 10, 64> t;
  tl::input<struct u_tag, float, 256, 784> u;  // the upstream gradient of `factor`
  matrix X = filled(64, 784, 1, 1), T = filled(64, 10, 2, 1), U = filled(784, 256, 3, 1);
  p3_case() {
    fill(base, 3);
    fill(head, 5);
    fill(adapter, 7);
    full.copy_values_from(base);
  }
  auto weight() const {
    return base.layer<0>().weight +
           tl::matmul(adapter.layer<0>().weight, adapter.layer<1>().weight);
  }
  auto lora() const {
    const auto layer = base.layer<0>().with_weights(weight(), base.layer<0>().bias);
    return tl::gradient(tl::softmax_cross_entropy(head(layer(x)), t), adapter.layer<0>().weight,
                        adapter.layer<1>().weight, head);
  }
  auto full_step() const {
    return tl::gradient(tl::softmax_cross_entropy(head(full(x)), t), full, head);
  }
  auto factor() const {
    return tl::gradient(tl::sum(u * weight()), adapter.layer<0>().weight,
                        adapter.layer<1>().weight);
  }
};

bool validate_and_register() {
  auto p2 = std::make_shared<p2_case>();
  auto stored = std::make_shared<decltype(p2->stored())>(p2->stored());
  auto borrowed = std::make_shared<decltype(p2->borrowed())>(p2->borrowed());
  auto run2 = [p2](auto& g) { g(tl::feed(p2->x, p2->X), tl::feed(p2->t, p2->T)); };
  run2(*stored);
  run2(*borrowed);
  // The same arithmetic on the same values: equal to the bit.
  if (stored->loss() != borrowed->loss() ||
      (*stored)[p2->b.layer<0>().weight] != (*borrowed)[p2->src.layer<0>().weight]) {
    std::fprintf(stderr, "borrowed weights: gradient differs from the stored layer's\n");
    return false;
  }

  auto p3 = std::make_shared<p3_case>();
  auto lora = std::make_shared<decltype(p3->lora())>(p3->lora());
  auto full = std::make_shared<decltype(p3->full_step())>(p3->full_step());
  auto factor = std::make_shared<decltype(p3->factor())>(p3->factor());
  auto run3 = [p3](auto& g) { g(tl::feed(p3->x, p3->X), tl::feed(p3->t, p3->T)); };
  run3(*lora);
  // dA = dW B^T, with dW the stored layer's weight gradient at W_base + A B.
  p3->full.layer<0>().weight.value =
      p3->base.layer<0>().weight.value +
      p3->adapter.layer<0>().weight.value * p3->adapter.layer<1>().weight.value;
  run3(*full);
  const matrix dA =
      (*full)[p3->full.layer<0>().weight] * p3->adapter.layer<1>().weight.value.transpose();
  const float error = ((*lora)[p3->adapter.layer<0>().weight] - dA).cwiseAbs().maxCoeff() /
                      dA.cwiseAbs().maxCoeff();
  if (!(std::abs(lora->loss() - full->loss()) < 1e-5f * std::abs(full->loss())) ||
      !(error < 1e-4f)) {
    std::fprintf(stderr, "low-rank adaptation: gradient differs from dW B^T (%g)\n", double(error));
    return false;
  }

  add("computed/P2_small/stored", stored, run2);
  add("computed/P2_small/borrowed", borrowed, run2);
  add("computed/P3_medium/full", full, run3);
  add("computed/P3_medium/lora", lora, run3);
  add("computed/P3_medium/factor", factor, [p3](auto& g) { g(tl::feed(p3->u, p3->U)); });
  return true;
}

}  // namespace

int main(int argc, char** argv) { return bench::main(argc, argv, validate_and_register); }
