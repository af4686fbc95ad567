// tapeless: the library under test. Fixed batch sizes, like the
// hand-written reference; the models hold the parameters, the program built
// by tl::gradient the workspace. Built with BENCH_CHECKED (target
// bench_checked), every program is made with tl::checked, float only: what
// checking for NaN and infinity costs when it is on (interleave.py
// --checked); bench_tapeless's code is the same as without checking. Built
// with BENCH_BLAS (target bench_tapeless_blas, linking tapeless::blas), P3
// and P4 with the large products by OpenBLAS on 1 and 2 threads
// (interleave.py --threads).
#include <memory>

#include <tapeless/tapeless.hpp>

#include "harness.hpp"
#include "reference.hpp"
#include "tapeless_models.hpp"

namespace {

using namespace bench;
namespace tl = tapeless;

#ifdef BENCH_CHECKED
#define BENCH_PROGRAM(program) tl::checked(program)
#else
#define BENCH_PROGRAM(program) program
#endif

// Threads of the products (tapeless::blas); the header-only build has one.
#ifdef BENCH_BLAS
void use_threads(int n) { tl::kernels::set_threads(n); }
#else
void use_threads(int) {}
#endif

template <class P, class S>
struct setup {
  typename tapeless_model_of<struct b_tag, S, typename P::b_layers>::type b;
  typename tapeless_model_of<struct a_tag, S, typename P::a_layers>::type a;
  tl::input<struct x_tag, S, first_in(typename P::b_layers{}), P::batch> x;
  tl::input<struct t_tag, S, last_out(typename P::a_layers{}), P::batch> t;

  auto program() const {
    auto loss = tl::mse(a(b(x)), t);
    if constexpr (P::request == wrt::both)
      return BENCH_PROGRAM(tl::gradient(loss, a, b));
    else
      return BENCH_PROGRAM(tl::gradient(loss, a));
  }

  template <class Program>
  gradients read(const Program& g) const {
    gradients r;
    r.loss = static_cast<double>(g.loss());
    auto add = [&](const auto& m) {
      m.for_each_parameter([&](const auto& p) { r.g.push_back(g[p].template cast<double>()); });
    };
    if constexpr (P::request == wrt::both) add(b);
    add(a);
    return r;
  }
};

template <class P, class S>
bool add(const char* impl, int threads = 1) {
  use_threads(threads);
  const problem_desc d = describe<P>();
  const problem_data data = make_data(d);
  // Shared and never moved: programs point at the models' parameters.
  auto m = std::make_shared<setup<P, S>>();
  set_parameters(m->b, data, 0);
  set_parameters(m->a, data, d.b_depth);
  using matrix = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
  auto x = std::make_shared<const matrix>(data.x.cast<S>());
  auto t = std::make_shared<const matrix>(data.t.cast<S>());
  using program = decltype(m->program());
  {
    auto step = std::make_unique<program>(m->program());
    (*step)(tl::feed(m->x, *x), tl::feed(m->t, *t));
    if (!matches(impl, d, m->read(*step), reference_gradients(d, data), tolerance<S>)) return false;
  }
  const double bytes = footprint([&] { return std::make_unique<program>(m->program()); });
  benchmark::RegisterBenchmark(
      name(impl, d, scalar_name<S>(), "eval").c_str(),
      [=](benchmark::State& s) {
        use_threads(threads);
        auto step = std::make_unique<program>(m->program());
        timed_steps(s, d, bytes, [&] { (*step)(tl::feed(m->x, *x), tl::feed(m->t, *t)); });
      })
      ->UseRealTime();
  benchmark::RegisterBenchmark(name(impl, d, scalar_name<S>(), "build").c_str(),
                               [=](benchmark::State& s) {
                                 use_threads(threads);
                                 timed_steps(s, d, bytes, [&] {
                                   auto step = m->program();
                                   const auto& g = step(tl::feed(m->x, *x), tl::feed(m->t, *t));
                                   benchmark::DoNotOptimize(g.loss());
                                 });
                               })
      ->UseRealTime();
  return true;
}

// A run-time batch that alternates between the problem's batch and three
// quarters of it, as a smaller last batch or an evaluation set does: the
// program's storage grows to the larger once (before the timed loop) and
// is reused, so the step allocates nothing (mode "alternate"; the time is
// the mean of the two sizes).
template <class P, class S>
void add_alternating(const char* impl) {
  const problem_desc d = describe<P>();
  const problem_data data = make_data(d);
  struct model_pair {
    typename tapeless_model_of<struct b_tag, S, typename P::b_layers>::type b;
    typename tapeless_model_of<struct a_tag, S, typename P::a_layers>::type a;
  };
  auto m = std::make_shared<model_pair>();
  set_parameters(m->b, data, 0);
  set_parameters(m->a, data, d.b_depth);
  using matrix = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
  auto x = std::make_shared<const matrix>(data.x.cast<S>());
  auto t = std::make_shared<const matrix>(data.t.cast<S>());
  benchmark::RegisterBenchmark(
      name(impl, d, scalar_name<S>(), "alternate").c_str(),
      [=](benchmark::State& s) {
        const tl::input<struct x_tag, S, first_in(typename P::b_layers{})> xin;
        const tl::input<struct t_tag, S, last_out(typename P::a_layers{})> tin;
        auto step = tl::gradient(tl::mse(m->a(m->b(xin)), tin), m->a, m->b);
        const Eigen::Index small = d.batch * 3 / 4;
        const matrix xs[2] = {*x, x->topRows(small)}, ts[2] = {*t, t->topRows(small)};
        auto run = [&](int i) { step(tl::feed(xin, xs[i]), tl::feed(tin, ts[i])); };
        run(0);
        int i = 0;
        timed_steps(s, d, 0, [&] { run(++i % 2); });
      })
      ->UseRealTime();
}

template <class S>
bool add_all(const char* impl) {
  return add<p1, S>(impl) && add<p2, S>(impl) && add<p2a, S>(impl) && add<p3, S>(impl) &&
         add<p4, S>(impl) && add<deep, S>(impl);
}

}  // namespace

int main(int argc, char** argv) {
  return bench::main(argc, argv, [] {
#if defined(BENCH_CHECKED)
    return add_all<float>("tapeless");
#elif defined(BENCH_BLAS)
    // The problems with products above the threshold (kernels/blas.hpp).
    return add<p3, float>("tapeless_blas_1t", 1) && add<p4, float>("tapeless_blas_1t", 1) &&
           add<p3, float>("tapeless_blas_2t", 2) && add<p4, float>("tapeless_blas_2t", 2);
#else
    // float everywhere; double for the problems a double-only peer runs.
    return add_all<float>("tapeless") && add<p1, double>("tapeless") &&
           add<p2, double>("tapeless") && add<deep, double>("tapeless") &&
           add<p3, double>("tapeless") && (add_alternating<p2, float>("tapeless"), true);
#endif
  });
}
