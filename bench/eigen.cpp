// Hand-written Eigen (handwritten.hpp): the reference every other
// implementation's time is divided by; fixed-size matrices where they are
// small. Built with BENCH_EIGEN_DYNAMIC (target bench_eigen_dyn), it is the
// all-dynamic-size variant "eigen_dyn" instead, float only: a binary of its
// own, so that bench_eigen instantiates exactly the problems bench_tapeless
// does and their compile times compare.
#include <memory>

#include "handwritten.hpp"
#include "harness.hpp"
#include "reference.hpp"

namespace {

using namespace bench;

template <class P, class S, bool Fixed>
bool add(const char* impl) {
  using net = hand::network<P, S, Fixed>;
  using workspace = typename net::workspace;
  const problem_desc d = describe<P>();
  const problem_data data = make_data(d);
  auto m = std::make_shared<typename net::params>();
  m->set(data);
  using matrix = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
  auto x = std::make_shared<const matrix>(data.x.cast<S>());
  auto t = std::make_shared<const matrix>(data.t.cast<S>());
  {
    auto w = std::make_unique<workspace>();
    w->run(*m, x->data(), t->data());
    if (!matches(impl, d, w->read(), reference_gradients(d, data), tolerance<S>)) return false;
  }
  const double bytes = footprint([] { return std::make_unique<workspace>(); });
  benchmark::RegisterBenchmark(name(impl, d, scalar_name<S>(), "eval").c_str(),
                               [=](benchmark::State& s) {
                                 auto w = std::make_unique<workspace>();
                                 timed_steps(s, d, bytes,
                                             [&] { w->run(*m, x->data(), t->data()); });
                               })
      ->UseRealTime();
  benchmark::RegisterBenchmark(name(impl, d, scalar_name<S>(), "build").c_str(),
                               [=](benchmark::State& s) {
                                 timed_steps(s, d, bytes, [&] {
                                   workspace w;
                                   w.run(*m, x->data(), t->data());
                                   benchmark::DoNotOptimize(w.loss);
                                 });
                               })
      ->UseRealTime();
  return true;
}

}  // namespace

namespace bench {

template <class S, bool Fixed>
bool add_all(const char* impl) {
  return add<p1, S, Fixed>(impl) && add<p2, S, Fixed>(impl) && add<p2a, S, Fixed>(impl) &&
         add<p3, S, Fixed>(impl) && add<p4, S, Fixed>(impl) && add<deep, S, Fixed>(impl);
}

}  // namespace bench

int main(int argc, char** argv) {
  return bench::main(argc, argv, [] {
#ifdef BENCH_EIGEN_DYNAMIC
    return add_all<float, false>("eigen_dyn");
#else
    // float everywhere; double for the problems a double-only peer runs.
    return add_all<float, true>("eigen") && add<p1, double, true>("eigen") &&
           add<p2, double, true>("eigen") && add<deep, double, true>("eigen") &&
           add<p3, double, true>("eigen");
#endif
  });
}
