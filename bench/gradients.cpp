// Several losses from one forward pass: a GAN step (least-squares losses,
// as examples/alternating.cpp) as one tl::gradients program against two
// tl::gradient programs, the same models, weights, batch and data.
//
//   one_program   tl::gradients(tl::of(d_loss, D), tl::of(g_loss, G)):
//                 G(z) and D(G(z)) computed once, then D's and G's
//                 reverse sweeps.
//   two_programs  tl::gradient(d_loss, D) and tl::gradient(g_loss, G), run
//                 one after the other: G(z) and D(G(z)) computed twice.
//
// Both reverse passes do the same work; the difference is the forward pass
// the losses share. Before anything is timed, the one program's losses and
// gradients are checked against the two programs' (1e-12 relative in
// double, 1e-5 in float). bench/README.md has the command and the figures.
#include <cstdio>
#include <memory>

#include <tapeless/tapeless.hpp>

#include "harness.hpp"

namespace {

namespace tl = tapeless;

constexpr int batch = 64;

template <class S>
struct gan {
  tl::model<struct generator, S, tl::Dense<16, 64, tl::Tanh>, tl::Dense<64, 64, tl::Tanh>,
            tl::Dense<64, 8>>
      G;
  tl::model<struct discriminator, S, tl::Dense<8, 64, tl::Tanh>, tl::Dense<64, 64, tl::Tanh>,
            tl::Dense<64, 1>>
      D;
  tl::input<struct noise, S, 16, batch> z;
  tl::input<struct real, S, 8, batch> x;
  tl::input<struct ones, S, 1, batch> one;
  Eigen::Matrix<S, batch, 16> Z;
  Eigen::Matrix<S, batch, 8> X;
  Eigen::Matrix<S, batch, 1> One = Eigen::Matrix<S, batch, 1>::Ones();

  gan() {
    tl::random_engine rng(7);
    tl::initialize(G, rng);
    tl::initialize(D, rng);
    for (int i = 0; i < batch; ++i) {
      for (int j = 0; j < 16; ++j) Z(i, j) = static_cast<S>(rng.normal());
      for (int j = 0; j < 8; ++j) X(i, j) = static_cast<S>(3 + 0.5 * rng.normal());
    }
  }
  auto d_loss() const { return tl::mean(tl::square(D(x) - one)) + tl::mean(tl::square(D(G(z)))); }
  auto g_loss() const { return tl::mean(tl::square(D(G(z)) - one)); }
  auto one_program() const { return tl::gradients(tl::of(d_loss(), D), tl::of(g_loss(), G)); }
  auto d_program() const { return tl::gradient(d_loss(), D); }
  auto g_program() const { return tl::gradient(g_loss(), G); }
};

// Relative difference of two gradients or losses, in the max norm.
template <class A, class B>
double difference(const A& a, const B& b) {
  const double scale = std::max(1e-300, static_cast<double>(b.cwiseAbs().maxCoeff()));
  return static_cast<double>((a - b).cwiseAbs().maxCoeff()) / scale;
}

// Runs `step` once per iteration, counting heap allocations per step.
template <class Step>
void timed(benchmark::State& s, Step&& step) {
  const std::uint64_t before = bench::heap::allocations();
  for (auto _ : s) {
    step();
    benchmark::ClobberMemory();
  }
  s.counters["allocs_per_step"] = benchmark::Counter(
      static_cast<double>(bench::heap::allocations() - before), benchmark::Counter::kAvgIterations);
}

template <class S>
bool add() {
  auto m = std::make_shared<gan<S>>();  // shared and never moved
  using one_t = decltype(m->one_program());
  using d_t = decltype(m->d_program());
  using g_t = decltype(m->g_program());
  {
    auto one = std::make_unique<one_t>(m->one_program());
    auto d_step = std::make_unique<d_t>(m->d_program());
    auto g_step = std::make_unique<g_t>(m->g_program());
    (*one)(tl::feed(m->x, m->X), tl::feed(m->z, m->Z), tl::feed(m->one, m->One));
    // Not a structured binding: clang++ 14 cannot capture one in a lambda.
    const auto& d = one->template part<0>();
    const auto& g = one->template part<1>();
    (*d_step)(tl::feed(m->x, m->X), tl::feed(m->z, m->Z), tl::feed(m->one, m->One));
    (*g_step)(tl::feed(m->z, m->Z), tl::feed(m->one, m->One));
    double worst =
        std::max(difference(d.value(), d_step->value()), difference(g.value(), g_step->value()));
    m->D.for_each_parameter(
        [&](const auto& p) { worst = std::max(worst, difference(d[p], (*d_step)[p])); });
    m->G.for_each_parameter(
        [&](const auto& p) { worst = std::max(worst, difference(g[p], (*g_step)[p])); });
    const double tolerance = sizeof(S) == 4 ? 1e-5 : 1e-12;
    std::fprintf(stderr, "gan/%s: one program vs two, largest relative difference %.2g\n",
                 bench::scalar_name<S>(), worst);
    if (!(worst <= tolerance)) return false;
  }
  const std::string prefix = std::string("tapeless/gan/") + bench::scalar_name<S>() + "/";
  benchmark::RegisterBenchmark((prefix + "one_program").c_str(), [=](benchmark::State& s) {
    auto one = std::make_unique<one_t>(m->one_program());
    timed(s, [&] { (*one)(tl::feed(m->x, m->X), tl::feed(m->z, m->Z), tl::feed(m->one, m->One)); });
  })->UseRealTime();
  benchmark::RegisterBenchmark((prefix + "two_programs").c_str(), [=](benchmark::State& s) {
    auto d_step = std::make_unique<d_t>(m->d_program());
    auto g_step = std::make_unique<g_t>(m->g_program());
    timed(s, [&] {
      (*d_step)(tl::feed(m->x, m->X), tl::feed(m->z, m->Z), tl::feed(m->one, m->One));
      (*g_step)(tl::feed(m->z, m->Z), tl::feed(m->one, m->One));
    });
  })->UseRealTime();
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  return bench::main(argc, argv, [] { return add<double>() && add<float>(); });
}
