// Instructions per gradient step, for callgrind (bench/instructions.sh):
// one problem's step, float, fixed batch, run STEPS times, by tapeless or by
// the hand-written code (handwritten.hpp, fixed or dynamic sizes). Counts of
// executed instructions do not depend on the machine's load, where times on
// a shared 2-core machine do: they locate a per-step cost (which function,
// how many instructions) that a timing can only suggest.
//
//   bench_instructions <p1|p2|p2a|p3|p4|deep> <tapeless|fixed|dynamic> <steps>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "handwritten.hpp"
#include "tapeless_models.hpp"

namespace {

namespace tl = tapeless;
using namespace bench;

template <class P>
float run_tapeless(int steps) {
  using S = float;
  const problem_desc d = describe<P>();
  const problem_data data = make_data(d);
  // Static: a model's parameters may be too large for the stack (P4).
  static typename tapeless_model_of<struct b_tag, S, typename P::b_layers>::type b;
  static typename tapeless_model_of<struct a_tag, S, typename P::a_layers>::type a;
  const tl::input<struct x_tag, S, first_in(typename P::b_layers{}), P::batch> x;
  const tl::input<struct t_tag, S, last_out(typename P::a_layers{}), P::batch> t;
  set_parameters(b, data, 0);
  set_parameters(a, data, d.b_depth);
  const Eigen::MatrixXf X = data.x.cast<S>(), T = data.t.cast<S>();
  const auto loss = tl::mse(a(b(x)), t);
  auto make = [&] {
    if constexpr (P::request == wrt::both)
      return tl::gradient(loss, a, b);
    else
      return tl::gradient(loss, a);
  };
  auto step = std::make_unique<decltype(make())>(make());
  float sum = 0;
  for (int i = 0; i < steps; ++i) sum += (*step)(tl::feed(x, X), tl::feed(t, T)).loss();
  return sum;
}

template <class P, bool Fixed>
float run_handwritten(int steps) {
  using net = hand::network<P, float, Fixed>;
  const problem_data data = make_data(describe<P>());
  auto m = std::make_unique<typename net::params>();
  m->set(data);
  const Eigen::MatrixXf X = data.x.cast<float>(), T = data.t.cast<float>();
  auto w = std::make_unique<typename net::workspace>();
  float sum = 0;
  for (int i = 0; i < steps; ++i) {
    w->run(*m, X.data(), T.data());
    sum += w->loss;
  }
  return sum;
}

template <class P>
float run(const std::string& impl, int steps) {
  if (impl == "tapeless") return run_tapeless<P>(steps);
  if (impl == "fixed") return run_handwritten<P, true>(steps);
  return run_handwritten<P, false>(steps);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string p = argc == 4 ? argv[1] : "", impl = argc == 4 ? argv[2] : "";
  if ((p != "p1" && p != "p2" && p != "p2a" && p != "p3" && p != "p4" && p != "deep") ||
      (impl != "tapeless" && impl != "fixed" && impl != "dynamic")) {
    std::fprintf(stderr,
                 "usage: bench_instructions <p1|p2|p2a|p3|p4|deep> <tapeless|fixed|dynamic> "
                 "<steps>\n");
    return 2;
  }
  const int steps = std::atoi(argv[3]);
  const float sum = p == "p1"    ? run<p1>(impl, steps)
                    : p == "p2"  ? run<p2>(impl, steps)
                    : p == "p2a" ? run<p2a>(impl, steps)
                    : p == "p3"  ? run<p3>(impl, steps)
                    : p == "p4"  ? run<p4>(impl, steps)
                                 : run<deep>(impl, steps);
  std::printf("%g\n", static_cast<double>(sum));  // the steps' results are used
}
