// Second order: a Hessian-vector product against a gradient step, on P2
// (batch 32, both models requested), tapeless, float and double.
//
//   grad  tl::gradient(loss, a, b): one gradient step, as bench_tapeless.
//   hvp   H v for every parameter of both models along a fixed direction
//         (va, vb: models of the same architectures holding it), as ONE
//         program: tl::gradient(<tl::grad(loss, a, b), v>, a, b), whose
//         gradient of each parameter p is (H v)[p] and whose "loss" is
//         <grad, v>. One forward and one reverse sweep over the
//         gradient-of-the-gradient graph; evaluating each expression of
//         tl::hvp(loss, tl::wrt(a, b), tl::wrt(va, vb)) on its own would
//         repeat the shared forward and first-order reverse work eight times.
//
// Before anything is timed: both programs against the double reference
// (reference.hpp; hvp_reference.hpp: central differences of its gradients),
// and, in double and with g++ only, the one-program H v against tl::hvp's
// expressions evaluated separately (tl::evaluate). Run through bench/interleave_hvp.py.
#include <cstdio>
#include <memory>

#include <tapeless/tapeless.hpp>

#include "harness.hpp"
#include "hvp_reference.hpp"
#include "tapeless_models.hpp"

namespace {

using namespace bench;
namespace tl = tapeless;

// sum over the parameters p of model m of sum(g[p] * v_p), v being the
// model vm of the same architecture: the user's spelling of <g, v>.
template <class G, class M, class V>
auto inner(const G& g, const M& m, const V& vm) {
  return [&]<std::size_t... I>(std::index_sequence<I...>) {
    return (... + (tl::sum(g[m.template layer<I>().weight] * vm.template layer<I>().weight) +
                   tl::sum(g[m.template layer<I>().bias] * vm.template layer<I>().bias)));
  }
  (std::make_index_sequence<M::depth>{});
}

using P = p2;

template <class S>
struct setup {
  typename tapeless_model_of<struct b_tag, S, P::b_layers>::type b;
  typename tapeless_model_of<struct a_tag, S, P::a_layers>::type a;
  typename tapeless_model_of<struct vb_tag, S, P::b_layers>::type vb;  // the direction
  typename tapeless_model_of<struct va_tag, S, P::a_layers>::type va;
  tl::input<struct x_tag, S, 16, P::batch> x;
  tl::input<struct t_tag, S, 1, P::batch> t;

  auto loss() const { return tl::mse(a(b(x)), t); }
  auto gradient_program() const { return tl::gradient(loss(), a, b); }
  auto hvp_program() const {
    const auto g = tl::grad(loss(), a, b);
    return tl::gradient(inner(g, a, va) + inner(g, b, vb), a, b);
  }

  // Parameter gradients in reference order: B's, then A's.
  template <class Program>
  gradients read(const Program& g) const {
    gradients r;
    r.loss = static_cast<double>(g.loss());
    auto add = [&](const auto& m) {
      m.for_each_parameter([&](const auto& p) { r.g.push_back(g[p].template cast<double>()); });
    };
    add(b);
    add(a);
    return r;
  }
};

// tl::hvp's expressions, each evaluated by a program of its own, against
// the one-program H v `want` (reference order): the two forms agree.
template <class Setup, class X, class T>
bool other_form_agrees(Setup& m, const X& x, const T& t, const gradients& want) {
  const auto hv = tl::hvp(m.loss(), tl::wrt(m.a, m.b), tl::wrt(m.va, m.vb));
  gradients got;
  auto add = [&](const auto& model) {
    model.for_each_parameter([&](const auto& p) {
      auto program = tl::evaluate(hv[p]);
      got.g.push_back(program(tl::feed(m.x, x), tl::feed(m.t, t)).value());
    });
  };
  add(m.b);
  add(m.a);
  got.loss = want.loss;
  return matches("hvp vs tl::hvp expressions", describe<P>(), got, want, 1e-12);
}

template <class S>
bool add(const char* impl) {
  const problem_desc d = describe<P>();
  const problem_data data = make_data(d);
  const problem_data dir = make_direction(d);
  auto m = std::make_shared<setup<S>>();  // shared and never moved
  set_parameters(m->b, data, 0);
  set_parameters(m->a, data, d.b_depth);
  set_parameters(m->vb, dir, 0);
  set_parameters(m->va, dir, d.b_depth);
  using matrix = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
  auto x = std::make_shared<const matrix>(data.x.cast<S>());
  auto t = std::make_shared<const matrix>(data.t.cast<S>());
  using grad_program = decltype(m->gradient_program());
  using hvp_program = decltype(m->hvp_program());
  // Double: 1e-10 for the gradient as bench_tapeless, 1e-6 for H v
  // (central differences); float: 1e-4 for both.
  const double hvp_tolerance = sizeof(S) == 4 ? 1e-4 : 1e-6;
  {
    auto step = std::make_unique<grad_program>(m->gradient_program());
    (*step)(tl::feed(m->x, *x), tl::feed(m->t, *t));
    if (!matches(impl, d, m->read(*step), reference_gradients(d, data), tolerance<S>)) return false;
    auto hvp = std::make_unique<hvp_program>(m->hvp_program());
    (*hvp)(tl::feed(m->x, *x), tl::feed(m->t, *t));
    const gradients got = m->read(*hvp);
    if (!matches("tapeless H v", d, got, reference_hvp(d, data, dir), hvp_tolerance)) return false;
    if constexpr (sizeof(S) == 8)
      if (!other_form_agrees(*m, *x, *t, got)) return false;
  }
  const double grad_bytes =
      footprint([&] { return std::make_unique<grad_program>(m->gradient_program()); });
  const double hvp_bytes =
      footprint([&] { return std::make_unique<hvp_program>(m->hvp_program()); });
  benchmark::RegisterBenchmark(
      name(impl, d, scalar_name<S>(), "grad").c_str(),
      [=](benchmark::State& s) {
        auto step = std::make_unique<grad_program>(m->gradient_program());
        timed_steps(s, d, grad_bytes, [&] { (*step)(tl::feed(m->x, *x), tl::feed(m->t, *t)); });
      })
      ->UseRealTime();
  benchmark::RegisterBenchmark(name(impl, d, scalar_name<S>(), "hvp").c_str(), [=](benchmark::State&
                                                                                       s) {
    auto step = std::make_unique<hvp_program>(m->hvp_program());
    timed_steps(s, d, hvp_bytes, [&] { (*step)(tl::feed(m->x, *x), tl::feed(m->t, *t)); });
    // The FLOP counters are a gradient step's.
    s.counters.erase("FLOPS");
    s.counters.erase("flop_per_step");
  })->UseRealTime();
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  return bench::main(argc, argv, [] { return add<double>("tapeless") && add<float>("tapeless"); });
}
